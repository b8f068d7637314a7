using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookEndpoints;

/// <summary>
/// Runs a command against a tenant's endpoint; another tenant's or a deleted endpoint is "not
/// found". The endpoint's deliveries in the queue follow it in the same transaction: paused while
/// it is disabled, resumed when it is enabled, due at once (to be dead-lettered) when it is deleted.
/// </summary>
public sealed class WebhookEndpointAggregate(AggregateStore aggregates, IWebhookDeliveryQueue queue)
{
    public static NotFoundException NotFound() => new("webhook_endpoint_not_found", "No such webhook endpoint.");

    public async Task<Decided<WebhookEndpointState, IWebhookEndpointEvent>> HandleAsync(
        Guid tenantId, Guid endpointId, WebhookEndpointCommand command, CancellationToken ct)
    {
        var streamId = WebhookEndpointDecider.StreamId(endpointId);
        var loaded = await aggregates.LoadAsync(WebhookEndpointDecider.Decider, streamId, tenantId, ct);
        // A 403 would confirm that the id exists in another tenant (ADR 0005).
        if (loaded.State.Status is EndpointStatus.None or EndpointStatus.Deleted || loaded.State.TenantId != tenantId) throw NotFound();
        var decided = (await aggregates.HandleAsync(WebhookEndpointDecider.Decider,
            [new StreamCommands<WebhookEndpointCommand>(streamId, tenantId, [command])], ct,
            new Dictionary<string, Loaded<WebhookEndpointState>> { [streamId] = loaded }))[0];
        foreach (var @event in decided.Events)
        {
            switch (@event)
            {
                case WebhookEndpointDisabled e:
                    await queue.PauseEndpointAsync(e.EndpointId, ct);
                    break;
                case WebhookEndpointEnabled e:
                    await queue.ResumeEndpointAsync(e.EndpointId, ct);
                    break;
                case WebhookEndpointDeleted e:
                    await queue.ReleaseDeletedEndpointAsync(e.EndpointId, e.DeletedAt, ct);
                    break;
            }
        }
        return decided;
    }
}
