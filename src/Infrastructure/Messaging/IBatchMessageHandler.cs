using Confluent.Kafka;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// Handles the messages of one topic for one consumer group a batch at a time (run by
/// <see cref="KafkaBatchConsumerService{THandler}"/>, one DI scope per batch), for work that is far
/// cheaper in one transaction per batch than per message (a handler that wants single messages
/// asks for batches of one). At-least-once: handlers must be idempotent, and throwing retries the
/// whole batch.
/// </summary>
public interface IBatchMessageHandler
{
    string Topic { get; }

    string GroupId { get; }

    /// <summary>The largest batch the handler is given.</summary>
    int MaxBatchSize { get; }

    /// <summary>
    /// The ids <see cref="GroupId"/> had before it was renamed, most recent first. On a partition
    /// where the group has no committed offset yet, the consumer starts where the first of these
    /// groups that has one committed, so a renamed group neither consumes the topic again from the
    /// beginning nor skips anything (<see cref="FormerGroupHandover"/>). None by default.
    /// </summary>
    IReadOnlyList<string> FormerGroupIds => [];

    Task HandleBatchAsync(IReadOnlyList<ConsumeResult<string, string>> messages, CancellationToken ct);
}
