using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookEndpoints;

/// <summary>Runs a command against a tenant's endpoint; another tenant's or a deleted endpoint is "not found".</summary>
public static class WebhookEndpointAggregate
{
    public static NotFoundException NotFound() => new("webhook_endpoint_not_found", "No such webhook endpoint.");

    public static async Task<Decided<WebhookEndpointState, IWebhookEndpointEvent>> HandleAsync(
        this AggregateStore aggregates, Guid tenantId, Guid endpointId, WebhookEndpointCommand command, CancellationToken ct)
    {
        var streamId = WebhookEndpointDecider.StreamId(endpointId);
        var loaded = await aggregates.LoadAsync(WebhookEndpointDecider.Decider, streamId, ct);
        // A 403 would confirm that the id exists in another tenant (ADR 0005).
        if (loaded.State.Status is EndpointStatus.None or EndpointStatus.Deleted || loaded.State.TenantId != tenantId) throw NotFound();
        return await aggregates.HandleAsync(WebhookEndpointDecider.Decider, streamId, command, tenantId, ct);
    }
}
