using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connectors;
using Integrations.Application.Inbound;
using Integrations.Application.WebhookDeliveries;
using Integrations.Application.WebhookDeliveries.Queries.GetWebhookEndpointHealth;
using MediatR;

namespace Integrations.Application.IntegrationHealth.Queries.GetIntegrationHealth;

/// <summary>Calls (HTTP attempts) in the last hour and the share of them that failed (0 to 1; null without calls).</summary>
public sealed record CallRateDto(int Calls, int Failed, double? ErrorRate);

/// <summary>A connection's circuit breaker as the Workers processes last reported it.</summary>
/// <param name="State">closed, open or half_open.</param>
/// <param name="OpenedAt">When the current outage began (kept through failed probes).</param>
/// <param name="OpenUntil">When the next probe may go, while open.</param>
public sealed record ConnectionCircuitDto(string State, DateTimeOffset? OpenedAt, DateTimeOffset? OpenUntil);

/// <summary>One connection as the operator sees it; <see cref="Status"/> is null for a deleted connection whose calls are still in the ledger.</summary>
public sealed record ConnectionHealthDto(Guid ConnectionId, Guid TenantId, string Provider, string? Status, ConnectionCircuitDto Circuit,
    CallRateDto LastHour, DateTimeOffset? LastSuccessAt, long QueueDepth, long DeadLetters, int RefreshFailures);

/// <summary>All connections of one provider, summed.</summary>
public sealed record ProviderHealthDto(string Provider, int Connections, int OpenCircuits, int NotConnected, CallRateDto LastHour,
    DateTimeOffset? LastSuccessAt, long QueueDepth, long DeadLetters, int RefreshFailures);

/// <summary>A webhook endpoint's health (as <c>GET /api/v1/webhook-endpoints/{id}/health</c> shows its tenant), with the tenant.</summary>
public sealed record WebhookEndpointOperatorDto(Guid TenantId, WebhookEndpointHealthDto Health);

/// <summary>
/// The operator view: every provider, connection and webhook endpoint across tenants, and every tenant
/// summed, worst first; and the requests the providers' inbound URLs refused, counted per reason.
/// </summary>
public sealed record IntegrationHealthDto(DateTimeOffset GeneratedAt, IReadOnlyList<ProviderHealthDto> Providers,
    IReadOnlyList<ConnectionHealthDto> Connections, IReadOnlyList<WebhookEndpointOperatorDto> WebhookEndpoints, IReadOnlyList<TenantHealthDto> Tenants,
    IReadOnlyList<InboundRejectionDto> InboundRejections);

public sealed record GetIntegrationHealthQuery : IQuery<IntegrationHealthDto>;

/// <summary>
/// Builds the operator view from the connector runtime's facts and the webhook endpoints' health.
/// Worst first: an open circuit, then a connection that is not connected, then the error rate of the
/// last hour, dead letters and the backlog.
/// </summary>
public sealed class GetIntegrationHealthQueryHandler(
    IConnectorHealthReadModel connectors, IWebhookEndpointHealthReadModel endpoints, IInboundRequests inbound, WebhookDeliveryOptions webhookOptions, IClock clock)
    : IRequestHandler<GetIntegrationHealthQuery, IntegrationHealthDto>
{
    public async Task<IntegrationHealthDto> Handle(GetIntegrationHealthQuery request, CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        var connections = (await connectors.ListAsync(cancellationToken)).Select(Describe).OrderByDescending(Badness).ThenBy(c => c.ConnectionId).ToList();
        var providers = connections.GroupBy(c => c.Provider).Select(Summarise).OrderByDescending(Badness).ThenBy(p => p.Provider, StringComparer.Ordinal).ToList();
        var hooks = (await endpoints.ListAsync(cancellationToken))
            .Select(e => new WebhookEndpointOperatorDto(e.TenantId, GetWebhookEndpointHealthQueryHandler.Describe(e.Facts, webhookOptions, now)))
            .OrderByDescending(e => Badness(e.Health)).ThenBy(e => e.Health.EndpointId).ToList();
        return new IntegrationHealthDto(now, providers, connections, hooks, TenantHealthDto.Summarise(connections, hooks),
            await inbound.ListProviderRejectionsAsync(cancellationToken));
    }

    private static CallRateDto Rate(int calls, int failed) => new(calls, failed, calls == 0 ? null : Math.Round((double)failed / calls, 4));

    private static ConnectionHealthDto Describe(ConnectionHealthFacts f) => new(f.ConnectionId, f.TenantId, f.Provider, f.Status,
        new ConnectionCircuitDto(f.CircuitState, f.OpenedAt, f.CircuitState == "closed" ? null : f.OpenUntil), Rate(f.Calls, f.FailedCalls),
        f.LastSuccessAt, f.QueueDepth, f.DeadLetters, f.RefreshFailures);

    private static ProviderHealthDto Summarise(IGrouping<string, ConnectionHealthDto> group) => new(group.Key, group.Count(),
        group.Count(c => c.Circuit.State != "closed"), group.Count(c => c.Status is not (null or "connected")),
        Rate(group.Sum(c => c.LastHour.Calls), group.Sum(c => c.LastHour.Failed)), group.Max(c => c.LastSuccessAt),
        group.Sum(c => c.QueueDepth), group.Sum(c => c.DeadLetters), group.Sum(c => c.RefreshFailures));

    private static (int, int, double, long, long) Badness(ConnectionHealthDto c) => (c.Circuit.State == "closed" ? 0 : 1,
        c.Status is null or "connected" ? 0 : 1, c.LastHour.ErrorRate ?? 0, c.DeadLetters, c.QueueDepth);

    private static (int, int, double, long, long) Badness(ProviderHealthDto p) => (p.OpenCircuits, p.NotConnected, p.LastHour.ErrorRate ?? 0, p.DeadLetters,
        p.QueueDepth);

    private static (int, int, double, long, long) Badness(WebhookEndpointHealthDto e) => (e.Circuit.State == CircuitStates.Closed ? 0 : 1,
        e.Status == "enabled" ? 0 : 1, e.LastHour.SuccessRate is { } rate ? 1 - rate : 0, e.ConsecutiveFailures, e.PendingDeliveries);
}
