using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Inbound;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Infrastructure.Persistence;
using Integrations.Infrastructure.Persistence.Listing;
using Npgsql;

namespace Integrations.Infrastructure.Inbound;

/// <summary><see cref="IInboundRequests"/> on <c>inbound_requests</c> and <c>inbound_rejections</c> (migration 0034).</summary>
public sealed class PostgresInboundRequests(DbSession session, IClock clock) : IInboundRequests
{
    public Task<bool> TryRecordAsync(NewInboundRequest request, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                insert into inbound_requests (id, received_at, provider, source_id, tenant_id, external_account_id, replay_key, content_type, headers, body)
                values (@id, @received_at, @provider, @source_id, @tenant_id, @account, @replay_key, @content_type, @headers, @body)
                on conflict do nothing
                """, ("id", request.Id), ("received_at", Sql.Utc(request.ReceivedAt)), ("provider", request.Target.Provider),
                ("source_id", request.Target.SourceId), ("tenant_id", request.TenantId), ("account", request.ExternalAccountId),
                ("replay_key", request.ReplayKey), ("content_type", request.ContentType), ("body", request.Body));
            command.Parameters.AddJsonb("headers", JsonSerializer.Serialize(request.Headers));
            return await command.ExecuteNonQueryAsync(ct) == 1;
        }, ct);

    public Task CountRejectionAsync(InboundTarget target, string reason, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) => await Sql.ExecuteAsync(connection, transaction, """
            insert into inbound_rejections (target, reason, count, first_at, last_at) values (@target, @reason, 1, @now, @now)
            on conflict (target, reason) do update set count = inbound_rejections.count + 1, last_at = excluded.last_at
            """, ct, ("target", target.Key), ("reason", reason), ("now", Sql.Utc(clock.UtcNow))), ct);

    public Task<IReadOnlyList<InboundRejectionDto>> ListProviderRejectionsAsync(CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<InboundRejectionDto>>(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                select substr(target, length('provider:') + 1), reason, count, first_at, last_at from inbound_rejections
                where target like 'provider:%' order by last_at desc, target, reason
                """);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rejections = new List<InboundRejectionDto>();
            while (await reader.ReadAsync(ct))
                rejections.Add(new InboundRejectionDto(reader.GetString(0), reader.GetString(1), reader.GetInt64(2),
                    reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4)));
            return rejections;
        }, ct);

    public Task LogRejectedAsync(Guid id, DateTimeOffset receivedAt, Guid sourceId, Guid tenantId, string reason, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) => await Sql.ExecuteAsync(connection, transaction, """
            insert into inbound_requests (id, received_at, source_id, tenant_id, headers, body, status, rejection_reason, processed_at)
            values (@id, @at, @source_id, @tenant_id, '{}', '', 'rejected', @reason, @at)
            """, ct, ("id", id), ("at", Sql.Utc(receivedAt)), ("source_id", sourceId), ("tenant_id", tenantId), ("reason", reason)), ct);

    public Task<CursorPage<InboundRequestDto>> ListAsync(Guid tenantId, Guid sourceId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) =>
            KeysetQuery.ReadPageAsync(connection, transaction, LogTable, LogColumns, [("tenant_id", tenantId), ("source_id", sourceId)], query, ReadLog, ct), ct);

    private const string LogColumns = "id, received_at, rejection_reason, status, routed_tenants, event_ids, content_type, octet_length(body), processed_at, error";

    private static readonly KeysetTable LogTable = new()
    {
        From = "inbound_requests",
        IdColumn = "id",
        Columns = new Dictionary<string, string> { ["received_at"] = "received_at", ["status"] = "status" },
    };

    private static InboundRequestDto ReadLog(NpgsqlDataReader r)
    {
        var tenants = r.GetFieldValue<Guid[]>(4);
        return new InboundRequestDto(r.GetGuid(0), r.GetFieldValue<DateTimeOffset>(1), r.IsDBNull(2), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3),
            tenants.Length > 0 ? tenants[0] : null, r.GetFieldValue<Guid[]>(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetInt32(7),
            r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8), r.IsDBNull(9) ? null : r.GetString(9));
    }

    public Task<bool> FailAsync(Guid id, string error, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) => await Sql.ExecuteAsync(connection, transaction, """
            update inbound_requests set status = 'failed', error = @error, processed_at = @now where id = @id and status = 'pending'
            """, ct, ("id", id), ("error", error), ("now", Sql.Utc(clock.UtcNow))) == 1, ct);

    public Task<string?> LockStatusAsync(Guid id, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, "select status from inbound_requests where id = @id for update", ("id", id));
            return await command.ExecuteScalarAsync(ct) as string;
        }, ct);

    public Task CompleteAsync(Guid id, string status, IReadOnlyList<Guid> tenants, IReadOnlyList<Guid> eventIds, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) => await Sql.ExecuteAsync(connection, transaction, """
            update inbound_requests set status = @status, routed_tenants = @tenants, event_ids = @events, processed_at = @now where id = @id
            """, ct, ("id", id), ("status", status), ("tenants", tenants.ToArray()), ("events", eventIds.ToArray()), ("now", Sql.Utc(clock.UtcNow))), ct);
}
