using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.Connectors;
using Integrations.Infrastructure.Persistence;
using Integrations.Infrastructure.Persistence.Listing;
using Npgsql;

namespace Integrations.Infrastructure.Connectors;

/// <summary>
/// The call ledger on <c>connector_calls</c> and <c>connector_call_attempts</c> (migration 0030): the
/// connector pipeline's writes, the API's lists and replays. The dispatchers' claims and results are
/// <see cref="ConnectorCallClaims"/> and <see cref="ConnectorCallResults"/>.
/// </summary>
public sealed class ConnectorCallLedger(DbSession session) : IConnectorCallLedger
{
    /// <summary>The channel the dispatchers listen on; notified after the commit when calls become due now.</summary>
    public const string Channel = "connector_calls";

    private const string Columns = """
        id, connection_id, route_id, action, event_id, event_type, status, attempt_count, last_status_code, last_error_kind, last_attempt_at,
        case when status = 'pending' and (lease_until is null or lease_until <= now()) then next_attempt_at end, failure_reason, failed_at, succeeded_at, created_at, updated_at
        """;

    private static readonly KeysetTable Table = new()
    {
        From = "connector_calls",
        IdColumn = "id",
        Columns = new Dictionary<string, string>
        {
            ["created_at"] = "created_at", ["status"] = "status", ["event_type"] = "event_type", ["route_id"] = "route_id",
        },
    };

    private static readonly JsonSerializerOptions Json = JsonDefaults.Options;

    public Task<int> AddAsync(IReadOnlyList<NewConnectorCall> calls, CancellationToken ct) => session.RunAsync(async (connection, transaction) =>
    {
        await using var command = Sql.Command(connection, transaction, """
            insert into connector_calls (id, tenant_id, connection_id, route_id, provider, action, event_id, event_type, request, status,
                                         next_attempt_at, created_at, updated_at)
            select id, tenant_id, connection_id, route_id, provider, action, event_id, event_type, request, 'pending', created_at, created_at, created_at
            from unnest(@ids::uuid[], @tenant_ids::uuid[], @connection_ids::uuid[], @route_ids::uuid[], @providers::text[], @actions::text[],
                        @event_ids::uuid[], @event_types::text[], @requests::jsonb[], @created_at::timestamptz[])
                 as c(id, tenant_id, connection_id, route_id, provider, action, event_id, event_type, request, created_at)
            on conflict (id) do nothing
            """,
            ("ids", calls.Select(c => c.Id).ToArray()), ("tenant_ids", calls.Select(c => c.TenantId).ToArray()),
            ("connection_ids", calls.Select(c => c.ConnectionId).ToArray()), ("route_ids", calls.Select(c => c.RouteId).ToArray()),
            ("providers", calls.Select(c => c.Provider).ToArray()), ("actions", calls.Select(c => c.Action).ToArray()),
            ("event_ids", calls.Select(c => c.EventId).ToArray()), ("event_types", calls.Select(c => c.EventType).ToArray()),
            ("created_at", calls.Select(c => Sql.Utc(c.CreatedAt)).ToArray()));
        command.Parameters.Add(SqlArrays.Jsonb("requests", calls.Select(c => JsonSerializer.Serialize(c.Request, Json))));
        var added = await command.ExecuteNonQueryAsync(ct);
        if (added > 0) session.NotifyAfterCommit(Channel);
        return added;
    }, ct);

    public Task<CursorPage<ConnectorCallDto>> ListAsync(Guid tenantId, Guid connectionId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => KeysetQuery.ReadPageAsync(connection, transaction, Table, Columns,
            [("connection_id", connectionId), ("tenant_id", tenantId)], query, Read, ct), ct);

    public Task<ConnectorCallDetailDto?> FindAsync(Guid tenantId, Guid connectionId, Guid callId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            var call = new NpgsqlBatchCommand($"select {Columns} from connector_calls where id = @id and tenant_id = @tenant_id and connection_id = @connection_id");
            var attempts = new NpgsqlBatchCommand("""
                select attempt, started_at, duration_ms, status_code, response_body_excerpt, error_kind, succeeded, sent, method, url
                from connector_call_attempts where call_id = @id and tenant_id = @tenant_id order by id
                """);
            foreach (var command in new[] { call, attempts })
            {
                command.Parameters.AddValue("id", callId);
                command.Parameters.AddValue("tenant_id", tenantId);
            }
            call.Parameters.AddValue("connection_id", connectionId);
            batch.BatchCommands.Add(call);
            batch.BatchCommands.Add(attempts);
            await using var reader = await batch.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) return null;
            var found = Read(reader);
            await reader.NextResultAsync(ct);
            var log = new List<ConnectorCallAttemptDto>();
            while (await reader.ReadAsync(ct))
            {
                log.Add(new ConnectorCallAttemptDto(
                    reader.IsDBNull(0) ? null : reader.GetInt32(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetInt32(2),
                    reader.IsDBNull(3) ? null : reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.GetBoolean(6), reader.GetBoolean(7), new CallRequestSummaryDto(reader.GetString(8), reader.GetString(9))));
            }
            return new ConnectorCallDetailDto(found, log);
        }, ct);

    public Task<ReplayOutcome> ReplayAsync(Guid tenantId, Guid connectionId, Guid callId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, $"""
                with found as (select id, status from connector_calls where id = @id and tenant_id = @tenant_id and connection_id = @connection_id for update),
                     replayed as ({Replay} where c.id in (select id from found where status = 'failed') returning c.id)
                select status from found
                """, ("id", callId), ("tenant_id", tenantId), ("connection_id", connectionId));
            var status = await command.ExecuteScalarAsync(ct) as string;
            if (status == "failed") session.NotifyAfterCommit(Channel);
            return status switch
            {
                null => ReplayOutcome.NotFound,
                "failed" => ReplayOutcome.Replayed,
                "succeeded" => ReplayOutcome.Succeeded,
                _ => ReplayOutcome.AlreadyPending,
            };
        }, ct);

    public Task<int> ReplayFailedAsync(Guid tenantId, Guid connectionId, DateTimeOffset? failedSince, int limit, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, $"""
                {Replay} where c.id in (select id from connector_calls
                                       where connection_id = @connection_id and tenant_id = @tenant_id and status = 'failed' and failed_at >= @since
                                       order by failed_at, id limit @limit for update skip locked)
                """, ("connection_id", connectionId), ("tenant_id", tenantId), ("since", Sql.Utc(failedSince ?? DateTimeOffset.UnixEpoch)), ("limit", limit));
            var replayed = await command.ExecuteNonQueryAsync(ct);
            if (replayed > 0) session.NotifyAfterCommit(Channel);
            return replayed;
        }, ct);

    /// <summary>A dead letter back in the queue: due now, a fresh retry budget, the same id (its idempotency key).</summary>
    private const string Replay = """
        update connector_calls c set status = 'pending', cycle_attempts = 0, next_attempt_at = now(), lease_until = null, failure_reason = null,
            failed_at = null, updated_at = now()
        """;

    private static ConnectorCallDto Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetGuid(4), reader.GetString(5), reader.GetString(6),
        reader.GetInt32(7), reader.IsDBNull(8) ? null : reader.GetInt32(8), reader.IsDBNull(9) ? null : reader.GetString(9),
        At(reader, 10), At(reader, 11), reader.IsDBNull(12) ? null : reader.GetString(12), At(reader, 13), At(reader, 14),
        reader.GetFieldValue<DateTimeOffset>(15), reader.GetFieldValue<DateTimeOffset>(16));

    private static DateTimeOffset? At(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);
}
