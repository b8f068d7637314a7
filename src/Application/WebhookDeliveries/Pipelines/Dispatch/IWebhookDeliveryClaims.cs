using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;

/// <summary>
/// The dispatchers' side of the delivery queue (the port of the claim step; the use cases that
/// decide deliveries place them with <c>IWebhookDeliveryQueue</c>). Instances share the queue:
/// each claims its own rows, and leases them so that a dispatcher that dies leaves nothing behind.
/// </summary>
public interface IWebhookDeliveryClaims
{
    /// <summary>
    /// Claims due deliveries in one short transaction, so no HTTP request ever holds a transaction
    /// open: reads at most <paramref name="limit"/> due rows that no one holds (SKIP LOCKED: instances
    /// never wait for each other's rows) with their endpoints and events, locks the pacing and
    /// circuit state of the endpoints that could be sent to (shared by every instance), lets
    /// <paramref name="admission"/> decide (<see cref="DeliveryAdmission.Plan"/>), writes what it
    /// decided (leases, deferrals, holds, pauses, pacing) and commits.
    /// </summary>
    Task<ClaimResult> ClaimAsync(int limit, DeliveryAdmission admission, CancellationToken ct);

    /// <summary>
    /// Gives claimed deliveries back before their lease runs out (their endpoint turned slow while
    /// they waited for a connection, or tripped its circuit): each is due again at its time, for any instance.
    /// </summary>
    Task ReleaseAsync(IReadOnlyList<(Guid DeliveryId, DateTimeOffset DueAt)> released, CancellationToken ct);

    /// <summary>
    /// The endpoints' circuits closed (a probe or a test succeeded; the success is recorded): what
    /// their circuits hold is due now, and so are their retries scheduled further ahead (failed while the
    /// endpoint was down; a Retry-After it sent then is superseded by its own success since).
    /// </summary>
    Task ReleaseHeldAsync(IReadOnlyList<Guid> endpointIds, CancellationToken ct);
}

/// <summary>A claimed delivery with everything needed to send it.</summary>
/// <param name="Data">The event's data as JSON (the catalog sample for a test).</param>
/// <param name="SendAt">When its rate-limit slot comes; the send step waits for it.</param>
/// <param name="ReleasesHeld">Sent although its endpoint's circuit is not closed (the probe, or a test): its success
/// closes the circuit and releases what the circuit holds (<see cref="IWebhookDeliveryClaims.ReleaseHeldAsync"/>).</param>
public sealed record ClaimedDelivery(
    Guid DeliveryId, Guid TenantId, Guid EndpointId, Guid EventId, string EventType, DateTimeOffset EventTimestamp,
    string Url, IReadOnlyList<EndpointSecret> Secrets, string Data, DateTimeOffset SendAt, bool ReleasesHeld = false);

/// <summary>A claimed delivery that cannot be sent: it is dead-lettered without an attempt.</summary>
public sealed record CancelledDelivery(Guid DeliveryId, Guid TenantId, string Reason);

/// <param name="More">The claim looked at as many rows as it could: more may be due right now.</param>
/// <param name="NextDueAt">The earliest time a queued delivery becomes due, if any is queued.</param>
public sealed record ClaimResult(IReadOnlyList<ClaimedDelivery> Deliveries, IReadOnlyList<CancelledDelivery> Cancelled, bool More, DateTimeOffset? NextDueAt);
