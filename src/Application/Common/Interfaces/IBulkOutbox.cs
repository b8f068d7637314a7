namespace Integrations.Application.Common.Interfaces;

/// <summary>
/// <see cref="IOutbox.EnqueueAsync"/> for many messages in one statement, for use cases that emit
/// a message per item of a large batch (webhook delivery outcomes). Same table, same relay, same
/// transaction semantics.
/// </summary>
public interface IBulkOutbox
{
    Task EnqueueAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken ct);

    /// <summary>Called by the consumer that finished the work the messages asked for, in one statement. Idempotent.</summary>
    Task MarkCompletedAsync(IReadOnlyList<Guid> messageIds, CancellationToken ct);
}
