namespace Integrations.Application.Common.Interfaces;

/// <summary>
/// A message to publish once the surrounding transaction commits. When <see cref="AwaitsConsumer"/>
/// is set, a platform consumer must report completion; until then the sweeper republishes it.
/// </summary>
public sealed record OutboxMessage(
    Guid MessageId,
    string Topic,
    string Key,
    string Payload,
    IReadOnlyDictionary<string, string> Headers,
    bool AwaitsConsumer);

/// <summary>
/// Messages to Kafka, written in the unit of work's transaction so that a message exists exactly
/// when the change it announces does; many at a time (a batch of events, the outcomes of a round of
/// deliveries), one being a batch of one.
/// </summary>
public interface IOutbox
{
    Task EnqueueAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken ct);

    /// <summary>Called by the consumer that finished the work the messages asked for, in one statement. Idempotent.</summary>
    Task MarkCompletedAsync(IReadOnlyList<Guid> messageIds, CancellationToken ct);
}
