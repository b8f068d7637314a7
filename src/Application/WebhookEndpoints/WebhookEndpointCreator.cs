using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Connectors;
using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookEndpoints;

/// <summary>A new endpoint's creation event and its signing secret in plaintext, to show once.</summary>
public sealed record NewWebhookEndpoint(WebhookEndpointCreated Created, string Secret);

/// <summary>
/// Creates an endpoint of either kind (an endpoint the tenant registers, or a REST hook) with a new
/// signing secret (new, or one the caller made for a handshake), stored protected; the validated
/// input comes from the caller's command.
/// </summary>
public sealed class WebhookEndpointCreator(AggregateStore aggregates, ITenantReadModel tenants, ISecretProtector protector, IClock clock)
{
    public async Task<NewWebhookEndpoint> CreateAsync(
        Guid tenantId, string url, IReadOnlyList<string> eventTypes, string? description, int? rateLimitPerMinute,
        string kind, IReadOnlyList<RouteCondition>? filter, CancellationToken ct, string? secret = null)
    {
        _ = await tenants.FindAsync(tenantId, ct) ?? throw new NotFoundException("tenant_not_found", "No such tenant.");

        var id = Guid.CreateVersion7();
        secret ??= WebhookSignature.NewSecret();
        var command = new CreateWebhookEndpoint(id, tenantId, url, eventTypes, description,
            rateLimitPerMinute ?? WebhookEndpointDecider.DefaultRateLimitPerMinute, Guid.CreateVersion7(), protector.Protect(secret), clock.UtcNow, kind, filter);
        var result = await aggregates.HandleAsync(WebhookEndpointDecider.Decider, WebhookEndpointDecider.StreamId(id), command, tenantId, ct);
        return new NewWebhookEndpoint((WebhookEndpointCreated)result.Events[0], secret);
    }
}
