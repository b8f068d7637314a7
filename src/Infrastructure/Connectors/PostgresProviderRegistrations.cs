using Integrations.Application.Connectors.Registrations;
using Integrations.Infrastructure.Persistence;
using Npgsql;

namespace Integrations.Infrastructure.Connectors;

/// <summary><see cref="IProviderRegistrations"/> on <c>provider_registrations</c> (migration 0047).</summary>
public sealed class PostgresProviderRegistrations(DbSession session) : IProviderRegistrations
{
    private const string Columns = """
        tenant_id, connection_id, provider, kind, status, external_id, fingerprint, url, events, filter, expires_at, registered_at,
        last_checked_at, next_check_at, failures_in_a_row, last_error
        """;

    // Usable connections only: one that needs re-authorisation has its own incident, and a check could do nothing.
    public Task TrackAsync(IReadOnlyCollection<(string Provider, string Kind)> kinds, DateTimeOffset now, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => Sql.ExecuteAsync(connection, transaction, $"""
            insert into provider_registrations (tenant_id, connection_id, kind, provider, status, next_check_at)
            select c.tenant_id, c.id, k.kind, c.provider, '{RegistrationStatuses.Pending}', @now
            from connections c join unnest(@providers, @kinds) as k(provider, kind) on k.provider = c.provider
            where c.status = 'connected'
              and not exists (select 1 from provider_registrations r where r.connection_id = c.id and r.kind = k.kind)
            on conflict do nothing
            """, ct, ("providers", kinds.Select(k => k.Provider).ToArray()), ("kinds", kinds.Select(k => k.Kind).ToArray()), ("now", Sql.Utc(now))), ct);

    public Task<IReadOnlyList<RegistrationRecord>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<RegistrationRecord>>(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, $"""
                update provider_registrations r set leased_until = @until
                from (select connection_id, kind from provider_registrations
                      where next_check_at <= @now and (leased_until is null or leased_until <= @now)
                      order by next_check_at limit @limit for update skip locked) due
                where r.connection_id = due.connection_id and r.kind = due.kind
                returning {Prefixed("r.")}
                """, ("now", Sql.Utc(now)), ("until", Sql.Utc(now + lease)), ("limit", limit));
            return await ReadAsync(command, ct);
        }, ct);

    public Task<RegistrationRecord?> ClaimAsync(Guid tenantId, Guid connectionId, string provider, string kind, DateTimeOffset now, TimeSpan lease,
        CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, $"""
                insert into provider_registrations (tenant_id, connection_id, kind, provider, status, next_check_at, leased_until)
                values (@tenant_id, @connection_id, @kind, @provider, '{RegistrationStatuses.Pending}', @now, @until)
                on conflict (connection_id, kind) do update set leased_until = excluded.leased_until
                where provider_registrations.tenant_id = excluded.tenant_id
                  and (provider_registrations.leased_until is null or provider_registrations.leased_until <= @now)
                returning {Columns}
                """, ("tenant_id", tenantId), ("connection_id", connectionId), ("kind", kind), ("provider", provider), ("now", Sql.Utc(now)),
                ("until", Sql.Utc(now + lease)));
            return (await ReadAsync(command, ct)).SingleOrDefault();
        }, ct);

    public Task SaveAsync(RegistrationRecord record, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => Sql.ExecuteAsync(connection, transaction, """
            update provider_registrations set status = @status, external_id = @external_id, fingerprint = @fingerprint, url = @url, events = @events,
                filter = @filter, expires_at = @expires_at, registered_at = @registered_at, last_checked_at = @last_checked_at,
                next_check_at = @next_check_at, failures_in_a_row = @failures, last_error = @last_error, leased_until = null
            where connection_id = @connection_id and kind = @kind and tenant_id = @tenant_id
            """, ct, ("tenant_id", record.TenantId), ("connection_id", record.ConnectionId), ("kind", record.Kind), ("status", record.Status),
            ("external_id", record.ExternalId), ("fingerprint", record.Fingerprint), ("url", record.Url), ("events", record.Events.ToArray()),
            ("filter", record.Filter), ("expires_at", Utc(record.ExpiresAt)), ("registered_at", Utc(record.RegisteredAt)),
            ("last_checked_at", Utc(record.LastCheckedAt)), ("next_check_at", Sql.Utc(record.NextCheckAt)), ("failures", record.FailuresInARow),
            ("last_error", record.LastError)), ct);

    public Task ForgetAsync(Guid tenantId, Guid connectionId, string kind, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => Sql.ExecuteAsync(connection, transaction,
            "delete from provider_registrations where connection_id = @connection_id and kind = @kind and tenant_id = @tenant_id", ct,
            ("tenant_id", tenantId), ("connection_id", connectionId), ("kind", kind)), ct);

    public Task<IReadOnlyList<RegistrationRecord>> ListAsync(Guid tenantId, Guid connectionId, CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<RegistrationRecord>>(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction,
                $"select {Columns} from provider_registrations where tenant_id = @tenant_id and connection_id = @connection_id and status <> '{RegistrationStatuses.Idle}' order by kind",
                ("tenant_id", tenantId), ("connection_id", connectionId));
            return await ReadAsync(command, ct);
        }, ct);

    public Task MarkDueAsync(Guid tenantId, Guid connectionId, DateTimeOffset now, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => Sql.ExecuteAsync(connection, transaction,
            "update provider_registrations set next_check_at = least(next_check_at, @now) where tenant_id = @tenant_id and connection_id = @connection_id", ct,
            ("tenant_id", tenantId), ("connection_id", connectionId), ("now", Sql.Utc(now))), ct);

    private static string Prefixed(string prefix) => string.Join(", ", Columns.Split(',', StringSplitOptions.TrimEntries).Select(c => prefix + c));

    private static object? Utc(DateTimeOffset? value) => value is { } v ? Sql.Utc(v) : null;

    private static async Task<IReadOnlyList<RegistrationRecord>> ReadAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var records = new List<RegistrationRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            DateTimeOffset? At(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            records.Add(new RegistrationRecord(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                Text(5), Text(6), Text(7), reader.GetFieldValue<string[]>(8), Text(9), At(10), At(11), At(12), reader.GetFieldValue<DateTimeOffset>(13),
                reader.GetInt32(14), Text(15)));
        }
        return records;
    }
}
