namespace Integrations.Application.Common.Interfaces;

/// <summary>New events for one stream, decided from the stream at <see cref="ExpectedVersion"/>.</summary>
/// <param name="Origin">Whose request they come from, when not the current scope's.</param>
public sealed record StreamAppend(string StreamId, long ExpectedVersion, IReadOnlyList<object> Events, Guid? TenantId, RequestOrigin? Origin = null);

/// <summary>
/// The event store for many streams at once: high-volume use cases (webhook fan-out and delivery
/// results) touch hundreds of small streams per transaction, and one round trip per stream would
/// cap them far below what PostgreSQL can do. Same log, same optimistic concurrency and same
/// inline projections as <see cref="IEventStore"/>; appends join the ambient unit of work.
/// </summary>
public interface IBatchEventStore
{
    /// <summary>The events of every named stream, in version order; a stream that does not exist maps to an empty list.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<StoredEvent>>> ReadStreamsAsync(IReadOnlyCollection<string> streamIds, CancellationToken ct);

    /// <summary>
    /// Appends to every stream (each named once) or to none: if any stream moved past its expected
    /// version, throws a retryable <see cref="Exceptions.ConcurrencyConflictException"/>.
    /// Returns the stored events in log order (their global sequences, e.g. for outbox headers).
    /// </summary>
    Task<IReadOnlyList<StoredEvent>> AppendAsync(IReadOnlyList<StreamAppend> appends, CancellationToken ct);
}
