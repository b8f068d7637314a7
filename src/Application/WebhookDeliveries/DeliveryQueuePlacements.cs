using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookDeliveries;

/// <summary>
/// The queue follows the last event that places a delivery: created, retry scheduled or requeued →
/// queued at that time; succeeded or dead-lettered → removed. Pure: the use cases that decide
/// deliveries hand the placements to the queue in the same transaction (<see cref="WebhookDeliveryLedger"/>).
/// </summary>
public static class DeliveryQueuePlacements
{
    public static IReadOnlyList<QueuePlacement> From(IEnumerable<Decided<WebhookDeliveryState, IWebhookDeliveryEvent>> decided) =>
        decided.Where(d => d.Events.Count > 0).Select(d => Of(d.State, d.Events)).OfType<QueuePlacement>().ToList();

    private static QueuePlacement? Of(WebhookDeliveryState state, IReadOnlyList<IWebhookDeliveryEvent> events)
    {
        if (state.Status is DeliveryStatus.Succeeded or DeliveryStatus.Failed) return new Dequeue(state.DeliveryId);
        DateTimeOffset? due = null;
        var enqueued = false;
        var attempts = 0;
        foreach (var @event in events)
        {
            switch (@event)
            {
                case WebhookDeliveryCreated e:
                    (due, enqueued) = (e.CreatedAt, true);
                    break;
                case WebhookDeliveryRequeued e:
                    (due, enqueued) = (e.RequeuedAt, true);
                    break;
                case WebhookRetryScheduled e:
                    due = e.NextAttemptAt;
                    break;
                case WebhookAttemptMade:
                    attempts++;
                    break;
            }
        }
        return enqueued
            ? new Enqueue(state.DeliveryId, state.TenantId, state.EndpointId, state.EventId, state.EventType, state.IsTest, state.CreatedAt, due!.Value, state.Attempts)
            : new Reschedule(state.DeliveryId, due, attempts);
    }
}
