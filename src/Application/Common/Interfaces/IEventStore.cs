namespace Integrations.Application.Common.Interfaces;

/// <summary>Who caused an event and within which request; stored beside every event.</summary>
public sealed record EventMetadata(Guid? TenantId, string? CorrelationId, string? CausationId, string Actor);

public sealed record StoredEvent(
    Guid EventId,
    string StreamId,
    long StreamVersion,
    long GlobalSequence,
    string EventType,
    object Data,
    EventMetadata Metadata,
    DateTimeOffset Timestamp);

public sealed record AppendResult(long NewVersion, IReadOnlyList<long> GlobalSequences);

/// <summary>
/// Append-only event streams. Appends join the ambient unit of work (if any), so events, inline
/// projections, outbox messages and idempotency records commit or roll back together.
/// </summary>
public interface IEventStore
{
    /// <summary>Version of a stream that does not exist yet.</summary>
    const long NoStream = 0;

    Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(string streamId, CancellationToken ct);

    /// <summary>Appends after <paramref name="expectedVersion"/>; throws <see cref="Exceptions.ConcurrencyConflictException"/> when the stream moved on.</summary>
    Task<AppendResult> AppendAsync(string streamId, long expectedVersion, IReadOnlyList<object> events, Guid? tenantId, CancellationToken ct);
}
