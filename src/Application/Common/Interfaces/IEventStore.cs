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

/// <summary>A stream and the tenant it belongs to (null: the platform's own): every read names both, as Marten's conjoined tenancy keys streams.</summary>
public readonly record struct StreamKey(string StreamId, Guid? TenantId);

/// <summary>New events for one stream, decided from the stream at <see cref="ExpectedVersion"/>.</summary>
/// <param name="TenantId">The tenant the stream belongs to; null for the platform's own streams.</param>
/// <param name="Origin">Whose request they come from, when not the current scope's.</param>
public sealed record StreamAppend(string StreamId, long ExpectedVersion, IReadOnlyList<object> Events, Guid? TenantId, RequestOrigin? Origin = null);

/// <summary>
/// Append-only event streams, many at a time: the high-volume use cases (event ingestion, webhook
/// fan-out, delivery results) touch hundreds of small streams per transaction, and one round trip
/// per stream would cap them far below what PostgreSQL can do; a single stream is a batch of one.
/// Appends join the ambient unit of work (if any), so events, inline projections, outbox messages
/// and idempotency records commit or roll back together.
/// </summary>
public interface IEventStore
{
    /// <summary>Version of a stream that does not exist yet.</summary>
    const long NoStream = 0;

    /// <summary>
    /// The events of every named stream of its tenant, in version order, by stream id; a stream that
    /// does not exist, or not in that tenant, maps to an empty list.
    /// </summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<StoredEvent>>> ReadStreamsAsync(IReadOnlyCollection<StreamKey> streams, CancellationToken ct);

    /// <summary>
    /// Appends to every stream (each named once) or to none: if any stream moved past its expected
    /// version, or a new stream exists after all, throws a retryable
    /// <see cref="Exceptions.ConcurrencyConflictException"/>. Returns the stored events in log order.
    /// </summary>
    Task<IReadOnlyList<StoredEvent>> AppendAsync(IReadOnlyList<StreamAppend> appends, CancellationToken ct);
}
