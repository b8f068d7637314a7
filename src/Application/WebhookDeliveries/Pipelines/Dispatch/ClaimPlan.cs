using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;

/// <summary>What the queue says of a due row, read with its endpoint and event.</summary>
public enum DueKind
{
    /// <summary>Its endpoint is enabled and its event (or the catalog sample of a test) is there.</summary>
    Send,

    /// <summary>Its endpoint is disabled.</summary>
    Paused,

    /// <summary>Its endpoint was deleted (or is not the delivery's tenant's).</summary>
    EndpointGone,

    /// <summary>Its event is not there (or is not the delivery's tenant's).</summary>
    EventMissing,
}

/// <summary>A due row of the queue as a claim read it; what is not needed to send it is empty unless <see cref="Kind"/> is <see cref="DueKind.Send"/>.</summary>
public sealed record DueDelivery(
    Guid DeliveryId, Guid TenantId, Guid EndpointId, Guid EventId, string EventType, bool IsTest, DateTimeOffset CreatedAt, DueKind Kind,
    string Url, int RatePerMinute, IReadOnlyList<EndpointSecret> Secrets, string Data, DateTimeOffset EventTimestamp);

/// <summary>An endpoint's shared pacing row (locked by the claim) and its failure streak.</summary>
public sealed record EndpointPacingState(DateTimeOffset NextSlotAt, DateTimeOffset? ProbeSentAt, DateTimeOffset? CandidateFor, int ConsecutiveFailures,
    DateTimeOffset? LastFailureAt, int ProbesSent);

/// <summary>What a claim writes to an endpoint's pacing row (null: left as it is).</summary>
public sealed record PacingChange(DateTimeOffset NextFreeSlot, DateTimeOffset? ProbeSentAt, DateTimeOffset? CandidateFor, int? ProbesSent);

/// <summary>What the admission decided for the rows of one claim, for the claim to write before it commits.</summary>
public sealed class ClaimPlan
{
    /// <summary>Sent by this instance: leased.</summary>
    public List<ClaimedDelivery> Claimed { get; } = [];

    /// <summary>Dead-lettered without an attempt: leased until the recording removes them.</summary>
    public List<CancelledDelivery> Cancelled { get; } = [];

    /// <summary>Due again later (their rate-limit slot, or the end of an open circuit's period).</summary>
    public List<(Guid DeliveryId, DateTimeOffset DueAt)> Deferred { get; } = [];

    /// <summary>Their endpoint is disabled: paused until it is enabled.</summary>
    public List<Guid> Paused { get; } = [];

    /// <summary>Deleted endpoints, whose pacing rows go.</summary>
    public HashSet<Guid> GoneEndpoints { get; } = [];

    /// <summary>Held by their endpoint's circuit, due at the latest at the given time.</summary>
    public List<(Guid DeliveryId, DateTimeOffset DueAt)> Held { get; } = [];

    public Dictionary<Guid, PacingChange> Pacing { get; } = [];
}
