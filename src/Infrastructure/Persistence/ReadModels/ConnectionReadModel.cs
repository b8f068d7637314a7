using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.Connections;
using Integrations.Infrastructure.Persistence.Listing;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.ReadModels;

/// <summary>
/// Connections from <c>connections</c> (with the health schedule's facts from
/// <c>connection_health_checks</c>) and their audit log from <c>connection_audit_log</c>.
/// </summary>
public sealed class ConnectionReadModel(DbSession session) : IConnectionReadModel
{
    private const string Columns = """
        id, provider, auth_kind, display_name, status, external_account_id, external_account_name, scopes, settings, disconnected_reason,
        last_error, authorized_at, access_expires_at, last_refreshed_at, refresh_failures_in_a_row, refresh_retry_at, last_refresh_error,
        health_failures_in_a_row, last_health_error, last_health_failure_at, last_checked_at, next_check_at, created_at, updated_at
        """;

    private const string WithHealth = """
        (select c.*, h.last_checked_at, case when c.status in ('connected', 'disconnected') then h.next_check_at end as next_check_at
         from connections c left join connection_health_checks h on h.connection_id = c.id) x
        """;

    // Lists leave deleted connections out.
    private static readonly KeysetTable ListTable = new()
    {
        From = WithHealth.Replace(") x", " where c.status <> 'deleted') x", StringComparison.Ordinal),
        IdColumn = "id",
        Columns = new Dictionary<string, string> { ["created_at"] = "created_at", ["status"] = "status", ["provider"] = "provider" },
    };

    private static readonly KeysetTable AuditTable = new()
    {
        From = "connection_audit_log",
        IdColumn = "id",
        Columns = new Dictionary<string, string> { ["at"] = "at", ["action"] = "action" },
    };

    public Task<ConnectionDto?> FindAsync(Guid tenantId, Guid connectionId, CancellationToken ct, bool includeDeleted = false) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction,
                $"select {Columns} from {WithHealth} where id = @id and tenant_id = @tenant_id and (@include_deleted or status <> 'deleted')",
                ("id", connectionId), ("tenant_id", tenantId), ("include_deleted", includeDeleted));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? Read(reader) : null;
        }, ct);

    public Task<CursorPage<ConnectionDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) =>
            KeysetQuery.ReadPageAsync(connection, transaction, ListTable, Columns, [("tenant_id", tenantId)], query, Read, ct), ct);

    public Task<IReadOnlyList<ConnectionIdentity>> FindByAccountAsync(string provider, string externalAccountId, CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<ConnectionIdentity>>(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                select tenant_id, id, provider, external_account_id, status from connections
                where provider = @provider and external_account_id = @account and status <> 'deleted'
                order by created_at, id
                """, ("provider", provider), ("account", externalAccountId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var found = new List<ConnectionIdentity>();
            while (await reader.ReadAsync(ct))
                found.Add(new ConnectionIdentity(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
            return found;
        }, ct);

    public Task<CursorPage<ConnectionAuditEntryDto>> ListAuditLogAsync(Guid tenantId, Guid connectionId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => KeysetQuery.ReadPageAsync(connection, transaction, AuditTable, "id, action, actor, at, details",
            [("tenant_id", tenantId), ("connection_id", connectionId)], query, reader => new ConnectionAuditEntryDto(
                reader.GetGuid(0), reader.GetString(1), reader.GetString(2), ActorType(reader.GetString(2)), reader.GetFieldValue<DateTimeOffset>(3),
                JsonSerializer.Deserialize<Dictionary<string, object?>>(reader.GetString(4), JsonDefaults.Options)!), ct), ct);

    public Task<IReadOnlyList<RefreshCandidate>> FindRefreshDueAsync(DateTimeOffset expiresBefore, DateTimeOffset exercisedBefore, DateTimeOffset now, int limit,
        CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<RefreshCandidate>>(async (connection, transaction) =>
        {
            // Two index range scans (one partial index each), soonest due first; a cooling connection waits for its retry time.
            await using var command = Sql.Command(connection, transaction, """
                select tenant_id, id, provider from (
                    (select tenant_id, id, provider, refresh_retry_at, access_expires_at as due from connections
                     where status in ('connected', 'disconnected') and auth_kind in ('oauth2_code', 'oauth2_client_credentials')
                       and access_expires_at < @expires_before order by access_expires_at limit @limit)
                    union all
                    (select tenant_id, id, provider, refresh_retry_at, token_exercised_at from connections
                     where status in ('connected', 'disconnected') and auth_kind in ('oauth2_code', 'oauth2_client_credentials')
                       and token_exercised_at < @exercised_before order by token_exercised_at limit @limit)
                ) due
                where refresh_retry_at is null or refresh_retry_at <= @now
                group by tenant_id, id, provider
                order by min(due), id
                limit @limit
                """, ("expires_before", Sql.Utc(expiresBefore)), ("exercised_before", Sql.Utc(exercisedBefore)), ("now", Sql.Utc(now)), ("limit", limit));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var due = new List<RefreshCandidate>();
            while (await reader.ReadAsync(ct)) due.Add(new RefreshCandidate(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2)));
            return due;
        }, ct);

    private static string ActorType(string actor) => actor switch
    {
        "admin" => "admin",
        _ when actor.StartsWith("api_key:", StringComparison.Ordinal) => "api_key",
        _ when actor.StartsWith("oauth:", StringComparison.Ordinal) => "oauth_app",
        _ => "system",
    };

    private static ConnectionDto Read(NpgsqlDataReader r)
    {
        DateTimeOffset? Time(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return new ConnectionDto(
            r.GetGuid(0),
            r.GetString(1),
            r.GetString(2),
            Text(3),
            r.GetString(4),
            Text(5) is { } account ? new ConnectionAccountDto(account, Text(6)) : null,
            r.GetFieldValue<string[]>(7),
            Text(8) is { } settings ? JsonSerializer.Deserialize<ConnectionSettingsDto>(settings, JsonDefaults.Options) : null,
            Text(9),
            Text(10),
            Time(11),
            new ConnectionTokenDto(Time(12), Time(13), r.GetInt32(14), Time(15), Text(16)),
            new ConnectionHealthDto(r.GetInt32(17), Text(18), Time(19), Time(20), Time(21)),
            r.GetFieldValue<DateTimeOffset>(22),
            r.GetFieldValue<DateTimeOffset>(23));
    }
}
