using Integrations.Application.WebhookDeliveries.Queries.GetWebhookEndpointHealth;
using Integrations.Domain.Connections;

namespace Integrations.Application.IntegrationHealth.Queries.GetIntegrationHealth;

/// <summary>
/// One tenant's integrations summed: its webhook endpoints' last hour and state, and its connections.
/// </summary>
/// <param name="DeliverySuccessRate">Succeeded webhook attempts over all attempts of the last hour, 0 to 1; null without attempts.</param>
/// <param name="WebhookDeadLettered">Webhook deliveries dead-lettered in the last hour.</param>
/// <param name="ConnectionDeadLetters">Dead letters of the tenant's connections' calls.</param>
/// <param name="OpenCircuits">Webhook endpoints and connections whose circuit breaker is not closed.</param>
/// <param name="NeedsReauth">Connections that wait for their user to authorise again.</param>
public sealed record TenantHealthDto(Guid TenantId, int WebhookEndpoints, int DisabledEndpoints, int Attempts, int Succeeded, double? DeliverySuccessRate,
    int WebhookDeadLettered, long ConnectionDeadLetters, int OpenCircuits, int Connections, int NeedsReauth, long PendingDeliveries)
{
    /// <summary>Every tenant with an endpoint or a connection, worst first: open circuits, re-authorisation, disabled endpoints, failures, dead letters, backlog.</summary>
    public static IReadOnlyList<TenantHealthDto> Summarise(IReadOnlyList<ConnectionHealthDto> connections, IReadOnlyList<WebhookEndpointOperatorDto> endpoints) =>
        endpoints.Select(e => e.TenantId).Concat(connections.Select(c => c.TenantId)).Distinct()
            .Select(tenant => Of(tenant, connections.Where(c => c.TenantId == tenant).ToList(), endpoints.Where(e => e.TenantId == tenant).Select(e => e.Health).ToList()))
            .OrderByDescending(t => (t.OpenCircuits, t.NeedsReauth, t.DisabledEndpoints, 1 - (t.DeliverySuccessRate ?? 1), t.WebhookDeadLettered + t.ConnectionDeadLetters, t.PendingDeliveries))
            .ThenBy(t => t.TenantId).ToList();

    private static TenantHealthDto Of(Guid tenant, IReadOnlyList<ConnectionHealthDto> connections, IReadOnlyList<WebhookEndpointHealthDto> endpoints)
    {
        var attempts = endpoints.Sum(e => e.LastHour.Attempts);
        var succeeded = endpoints.Sum(e => e.LastHour.Succeeded);
        return new(tenant, endpoints.Count, endpoints.Count(e => e.Status != "enabled"), attempts, succeeded,
            attempts == 0 ? null : Math.Round((double)succeeded / attempts, 4), endpoints.Sum(e => e.LastHour.DeadLettered), connections.Sum(c => c.DeadLetters),
            endpoints.Count(e => e.Circuit.State != CircuitStates.Closed) + connections.Count(c => c.Circuit.State != "closed"),
            connections.Count, connections.Count(c => c.Status == ConnectionStatuses.NeedsReauth), endpoints.Sum(e => e.PendingDeliveries));
    }
}
