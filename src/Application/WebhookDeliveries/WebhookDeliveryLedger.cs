using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookDeliveries;

/// <summary>
/// Decides delivery streams and moves their queue rows in the same transaction: every use case
/// that changes a delivery goes through here, so the queue (which the dispatcher claims from) and
/// the streams (the truth) never disagree.
/// </summary>
public sealed class WebhookDeliveryLedger(AggregateStore aggregates, IWebhookDeliveryQueue queue)
{
    public async Task<IReadOnlyList<Decided<WebhookDeliveryState, IWebhookDeliveryEvent>>> HandleAsync(
        IReadOnlyList<StreamCommands<WebhookDeliveryCommand>> batch, CancellationToken ct,
        IReadOnlyDictionary<string, Loaded<WebhookDeliveryState>>? loaded = null)
    {
        var decided = await aggregates.HandleAsync(WebhookDeliveryDecider.Decider, batch, ct, loaded);
        var placements = DeliveryQueuePlacements.From(decided);
        if (placements.Count > 0) await queue.PlaceAsync(placements, ct);
        return decided;
    }

    /// <summary>The deliveries' streams, by stream id; each of the tenant named with it.</summary>
    public Task<IReadOnlyDictionary<string, Loaded<WebhookDeliveryState>>> LoadAsync(IReadOnlyCollection<(Guid DeliveryId, Guid TenantId)> deliveries,
        CancellationToken ct) =>
        aggregates.LoadAsync(WebhookDeliveryDecider.Decider, deliveries.Select(d => new StreamKey(WebhookDeliveryDecider.StreamId(d.DeliveryId), d.TenantId)).ToList(), ct);
}
