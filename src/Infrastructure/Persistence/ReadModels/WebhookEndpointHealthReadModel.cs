using Integrations.Application.Common.Interfaces;

namespace Integrations.Infrastructure.Persistence.ReadModels;

/// <summary>
/// Endpoint health from <c>webhook_endpoint_health</c>, joined with the endpoint's current status
/// (and, for one endpoint, with the circuit's last probe and its backlog in the queue).
/// </summary>
public sealed class WebhookEndpointHealthReadModel(DbSession session) : IWebhookEndpointHealthReadModel
{
    // The backlog is counted through the queue's (endpoint_id, created_at, delivery_id) index.
    private const string Select = """
        select e.id, e.status, coalesce(h.consecutive_failures, 0), h.last_failure_at, h.last_success_at, p.probe_sent_at, q.pending, q.held,
               coalesce(p.probes_sent, 0),
               coalesce(r.attempts, 0), coalesce(r.succeeded, 0), coalesce(r.failed, 0), coalesce(r.dead_lettered, 0),
               coalesce(r.duration_ms_sum, 0), coalesce(r.duration_ms_max, 0), e.tenant_id
        from webhook_endpoints e
        left join webhook_endpoint_health h on h.endpoint_id = e.id
        left join webhook_endpoint_pacing p on p.endpoint_id = e.id
        cross join lateral (
            select count(*) as pending, count(*) filter (where held_by_circuit) as held
            from webhook_delivery_queue where endpoint_id = e.id) q
        cross join lateral (
            select sum(attempts)::int as attempts, sum(succeeded)::int as succeeded, sum(failed)::int as failed,
                   sum(dead_lettered)::int as dead_lettered, sum(duration_ms_sum)::bigint as duration_ms_sum, max(duration_ms_max) as duration_ms_max
            from webhook_delivery_stats where endpoint_id = e.id and minute >= date_trunc('minute', now()) - interval '59 minutes') r
        """;

    public Task<EndpointHealthFacts?> FindAsync(Guid tenantId, Guid endpointId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, Select + " where e.id = @id and e.tenant_id = @tenant_id",
                ("id", endpointId), ("tenant_id", tenantId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? Read(reader) : null;
        }, ct);

    public Task<IReadOnlyList<(Guid TenantId, EndpointHealthFacts Facts)>> ListAsync(CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<(Guid, EndpointHealthFacts)>>(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, Select);
            await using var reader = await command.ExecuteReaderAsync(ct);
            var endpoints = new List<(Guid, EndpointHealthFacts)>();
            while (await reader.ReadAsync(ct)) endpoints.Add((reader.GetGuid(15), Read(reader)));
            return endpoints;
        }, ct);

    private static EndpointHealthFacts Read(Npgsql.NpgsqlDataReader reader) => new(reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2),
        reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
        reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
        reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
        reader.GetInt64(6), reader.GetInt64(7), reader.GetInt32(8),
        new RecentAttempts(reader.GetInt32(9), reader.GetInt32(10), reader.GetInt32(11), reader.GetInt32(12), reader.GetInt64(13), reader.GetInt32(14)));

    public Task<IReadOnlyList<FailingEndpoint>> FindFailingAsync(IReadOnlyCollection<Guid> endpointIds, int threshold, CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<FailingEndpoint>>(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                select h.endpoint_id, h.tenant_id, h.consecutive_failures
                from webhook_endpoint_health h
                join webhook_endpoints e on e.id = h.endpoint_id and e.status = 'enabled'
                where h.endpoint_id = any(@ids) and h.consecutive_failures >= @threshold
                order by h.endpoint_id
                """, ("ids", endpointIds.ToArray()), ("threshold", threshold));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var failing = new List<FailingEndpoint>();
            while (await reader.ReadAsync(ct)) failing.Add(new FailingEndpoint(reader.GetGuid(0), reader.GetGuid(1), reader.GetInt32(2)));
            return failing;
        }, ct);
}
