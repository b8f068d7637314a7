using Integrations.Application.Common.Interfaces;
using Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;
using Integrations.Domain.EventTypes;
using Integrations.Infrastructure.Persistence;
using Integrations.Infrastructure.Persistence.Projections;
using Npgsql;

namespace Integrations.Infrastructure.Webhooks.Delivery;

/// <summary>
/// The reads of a claim (<see cref="WebhookDeliveryQueue"/>), in its transaction: the due rows of
/// <c>webhook_delivery_queue</c> that no one holds, locked with SKIP LOCKED, each with its endpoint
/// and its event; the pacing rows of their endpoints, created if missing and locked, with each
/// endpoint's failure streak; and when the next row is due.
/// </summary>
internal static class DueDeliveryReader
{
    // The endpoint and the event are looked up per claimed row by primary key (LIMIT 1 keeps each
    // lookup a parameterized index probe). As plain joins the planner, expecting as many rows as
    // the claim's limit, hashed a sequential scan of the whole events table while it was small:
    // 1-3 ms and dozens of buffers a claim at 200 events/s in the benchmark, for one or two rows.
    private const string SelectDue = """
        select q.delivery_id, q.tenant_id, q.endpoint_id, q.event_id, q.event_type, q.is_test, q.created_at,
               e.status, e.url, e.rate_limit_per_minute, e.secrets, ev.data, ev."timestamp", q.ctid::text
        from (select ctid, delivery_id, tenant_id, endpoint_id, event_id, event_type, is_test, created_at from webhook_delivery_queue
              where not paused and next_attempt_at <= now() and (lease_until is null or lease_until <= now())
              order by next_attempt_at
              limit @scan
              for update skip locked) q
        left join lateral (select status, url, rate_limit_per_minute, secrets from webhook_endpoints
                           where id = q.endpoint_id and tenant_id = q.tenant_id limit 1) e on true
        left join lateral (select data::text as data, "timestamp" from events
                           where id = q.event_id and tenant_id = q.tenant_id and not q.is_test limit 1) ev on true
        """;

    /// <summary>
    /// The earliest due time of a row no one holds. A held row's lease running out (its dispatcher died)
    /// is found by the dispatcher's poll, within <see cref="WebhookDispatcherOptions.PollInterval"/>.
    /// </summary>
    public const string NextDueSql = """
        select next_attempt_at from webhook_delivery_queue
        where not paused and (lease_until is null or lease_until <= now())
        order by next_attempt_at limit 1
        """;

    /// <returns>The rows, oldest due first, and where each is (its ctid, as text: Npgsql writes no tid arrays).</returns>
    public static async Task<(List<DueDelivery> Rows, Dictionary<Guid, string> Locations)> ReadDueAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, int limit, CancellationToken ct)
    {
        await using var command = Sql.Command(connection, transaction, SelectDue, ("scan", limit));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<DueDelivery>();
        var locations = new Dictionary<Guid, string>();
        while (await reader.ReadAsync(ct))
        {
            var isTest = reader.GetBoolean(5);
            var status = reader.IsDBNull(7) ? null : reader.GetString(7);
            var eventType = reader.GetString(4);
            var createdAt = reader.GetFieldValue<DateTimeOffset>(6);
            var data = isTest ? EventTypeCatalog.Find(eventType)?.Sample : reader.IsDBNull(11) ? null : reader.GetString(11);
            var kind = status switch
            {
                null => DueKind.EndpointGone,
                WebhookEndpointStatuses.Disabled => DueKind.Paused,
                _ when data is null => DueKind.EventMissing,
                _ => DueKind.Send,
            };
            var row = new DueDelivery(
                reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetGuid(3), eventType, isTest, createdAt, kind,
                kind == DueKind.Send ? reader.GetString(8) : "",
                kind == DueKind.Send ? reader.GetInt32(9) : 0,
                kind == DueKind.Send ? WebhookEndpointsProjection.DeserializeSecrets(reader.GetString(10)) : [],
                data ?? "",
                isTest || reader.IsDBNull(12) ? createdAt : reader.GetFieldValue<DateTimeOffset>(12));
            rows.Add(row);
            locations.Add(row.DeliveryId, reader.GetString(13));
        }
        return (rows, locations);
    }

    /// <summary>
    /// Creates missing pacing rows and locks them, in endpoint order so instances never deadlock on
    /// them; with each, the endpoint's failure streak for its circuit.
    /// </summary>
    public static async Task<Dictionary<Guid, EndpointPacingState>> LockEndpointStatesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        Guid[] endpoints, CancellationToken ct)
    {
        var states = new Dictionary<Guid, EndpointPacingState>();
        if (endpoints.Length == 0) return states;
        await using var batch = new NpgsqlBatch(connection, transaction);
        var insert = new NpgsqlBatchCommand("""
            insert into webhook_endpoint_pacing (endpoint_id, next_slot_at)
            select id, now() from unnest(@ids::uuid[]) as u(id)
            on conflict (endpoint_id) do nothing
            """);
        insert.Parameters.AddValue("ids", endpoints);
        var select = new NpgsqlBatchCommand("""
            select p.endpoint_id, p.next_slot_at, p.probe_sent_at, p.probe_candidate_for, coalesce(h.consecutive_failures, 0), h.last_failure_at,
                   p.probes_sent
            from webhook_endpoint_pacing p
            left join webhook_endpoint_health h on h.endpoint_id = p.endpoint_id
            where p.endpoint_id = any(@ids)
            order by p.endpoint_id
            for update of p
            """);
        select.Parameters.AddValue("ids", endpoints);
        batch.BatchCommands.Add(insert);
        batch.BatchCommands.Add(select);
        // The insert returns no rows, so the reader starts at the select's.
        await using var reader = await batch.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            states[reader.GetGuid(0)] = new EndpointPacingState(
                reader.GetFieldValue<DateTimeOffset>(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                reader.GetInt32(6));
        }
        return states;
    }

    public static async Task<DateTimeOffset?> NextDueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var command = Sql.Command(connection, transaction, NextDueSql);
        return await command.ExecuteScalarAsync(ct) is DateTime next ? new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc)) : null;
    }
}
