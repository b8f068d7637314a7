using Confluent.Kafka;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// Handles the messages of one topic for one consumer group, one at a time (run by
/// <see cref="KafkaBatchConsumerService{THandler}"/> through <see cref="SingleMessageBatchAdapter{THandler}"/>,
/// resolved in a DI scope of its own per message). Delivery is at-least-once: handlers must be
/// idempotent. Throwing means "try again later"; the message is retried, never skipped.
/// </summary>
public interface IMessageHandler
{
    string Topic { get; }

    string GroupId { get; }

    Task HandleAsync(ConsumeResult<string, string> message, CancellationToken ct);
}
