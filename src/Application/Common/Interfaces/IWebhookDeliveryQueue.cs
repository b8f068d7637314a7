using Integrations.Application.WebhookDeliveries;

namespace Integrations.Application.Common.Interfaces;

/// <summary>
/// The delivery queue (the deliveries due or waiting to be sent), written in the unit of work that
/// decides the deliveries and their endpoints, so a delivery and its place in the queue never disagree.
/// </summary>
public interface IWebhookDeliveryQueue
{
    Task PlaceAsync(IReadOnlyList<QueuePlacement> placements, CancellationToken ct);

    /// <summary>The endpoint was disabled: its deliveries wait, claimed by no one.</summary>
    Task PauseEndpointAsync(Guid endpointId, CancellationToken ct);

    /// <summary>The endpoint was enabled again: its deliveries (and those its circuit held) are due as scheduled, or now.</summary>
    Task ResumeEndpointAsync(Guid endpointId, CancellationToken ct);

    /// <summary>The endpoint was deleted: its deliveries are due now, so the dispatcher dead-letters them.</summary>
    Task ReleaseDeletedEndpointAsync(Guid endpointId, DateTimeOffset deletedAt, CancellationToken ct);
}
