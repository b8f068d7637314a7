using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// Runs an <see cref="IMessageHandler"/> on <see cref="KafkaBatchConsumerService{THandler}"/> as
/// batches of one message, so there is one consume loop (commits, rebalances, retries, shutdown)
/// for every consumer. The message's own correlation and event ids become the request context,
/// as for any single message.
/// </summary>
public sealed class SingleMessageBatchAdapter<THandler>(IServiceProvider services, RequestContext context) : IBatchMessageHandler
    where THandler : class, IMessageHandler
{
    private THandler Handler => services.GetRequiredService<THandler>();

    public string Topic => Handler.Topic;

    public string GroupId => Handler.GroupId;

    public int MaxBatchSize => 1;

    public async Task HandleBatchAsync(IReadOnlyList<ConsumeResult<string, string>> messages, CancellationToken ct)
    {
        foreach (var message in messages)
        {
            context.CorrelationId = Header(message, "correlation-id") ?? context.CorrelationId;
            context.CausationId = Header(message, "event-id") ?? message.TopicPartitionOffset.ToString();
            await Handler.HandleAsync(message, ct);
        }
    }

    private static string? Header(ConsumeResult<string, string> result, string name) =>
        result.Message.Headers is { } headers && headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
}
