namespace Integrations.Application.Common.Interfaces;

/// <summary>
/// The delivery queue (the deliveries due or waiting to be sent), written in the unit of work that
/// decides the deliveries and their endpoints, so a delivery and its place in the queue never disagree.
/// Shared by the deliveries (<see cref="PlaceAsync"/>) and the endpoints (pause, resume, release).
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

/// <summary>Where a delivery's new events put it in the delivery queue.</summary>
public abstract record QueuePlacement(Guid DeliveryId);

/// <summary>Created or requeued: due at <see cref="DueAt"/>, not leased, not held by a circuit.</summary>
public sealed record Enqueue(
    Guid DeliveryId, Guid TenantId, Guid EndpointId, Guid EventId, string EventType, bool IsTest, DateTimeOffset CreatedAt,
    DateTimeOffset DueAt, int Attempts) : QueuePlacement(DeliveryId);

/// <summary>Still pending after <see cref="AttemptsAdded"/> attempts: due again at <see cref="DueAt"/> (its lease released), or where it was.</summary>
public sealed record Reschedule(Guid DeliveryId, DateTimeOffset? DueAt, int AttemptsAdded) : QueuePlacement(DeliveryId);

/// <summary>Succeeded or dead-lettered: no longer queued.</summary>
public sealed record Dequeue(Guid DeliveryId) : QueuePlacement(DeliveryId);
