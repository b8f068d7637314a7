using Integrations.Application.Common.Interfaces;

namespace Integrations.Infrastructure.Persistence.ReadModels;

/// <summary>Endpoint health from <c>webhook_endpoint_health</c>, joined with the endpoint's current status.</summary>
public sealed class WebhookEndpointHealthReadModel(DbSession session) : IWebhookEndpointHealthReadModel
{
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
