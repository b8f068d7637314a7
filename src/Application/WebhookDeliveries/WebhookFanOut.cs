using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookDeliveries;

/// <summary>An accepted event as the fan-out needs it.</summary>
public sealed record FanOutEvent(Guid EventId, Guid TenantId, string EventType);

/// <summary>
/// Creates a delivery for every enabled endpoint of the event's tenant that subscribes to its type,
/// for a whole batch of events in the caller's transaction. The queue row of each delivery is
/// written by an inline projection in the same transaction. Idempotent: delivery ids are derived
/// from (event, endpoint), and the decider creates nothing for a delivery that exists, so fanning
/// out a redelivered event changes nothing.
/// </summary>
public sealed class WebhookFanOut(BatchAggregateStore aggregates, IWebhookEndpointReadModel endpoints, IClock clock)
{
    /// <returns>How many deliveries were created.</returns>
    public async Task<int> CreateDeliveriesAsync(IReadOnlyList<FanOutEvent> events, CancellationToken ct)
    {
        var now = clock.UtcNow;
        var subscribers = new Dictionary<(Guid TenantId, string EventType), IReadOnlyList<WebhookEndpointTarget>>();
        var batch = new List<StreamCommands<WebhookDeliveryCommand>>();
        var planned = new HashSet<Guid>();
        foreach (var e in events)
        {
            if (!subscribers.TryGetValue((e.TenantId, e.EventType), out var targets))
            {
                targets = await endpoints.ListSubscribedAsync(e.TenantId, e.EventType, ct);
                subscribers[(e.TenantId, e.EventType)] = targets;
            }
            // The read model is scoped by tenant already; checking again costs nothing and keeps the rule local.
            foreach (var endpoint in targets.Where(t => t.TenantId == e.TenantId))
            {
                var id = WebhookDeliveryDecider.DeliveryId(e.EventId, endpoint.Id);
                if (!planned.Add(id)) continue;
                batch.Add(new StreamCommands<WebhookDeliveryCommand>(WebhookDeliveryDecider.StreamId(id), e.TenantId,
                    [new CreateWebhookDelivery(id, e.TenantId, endpoint.Id, e.EventId, e.EventType, IsTest: false, now)]));
            }
        }
        var decided = await aggregates.HandleAsync(WebhookDeliveryDecider.Decider, batch, ct);
        return decided.Count(d => d.Events.Count > 0);
    }
}
