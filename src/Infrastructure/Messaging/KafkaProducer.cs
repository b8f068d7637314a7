using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// The process's idempotent producer, created on first use. An idempotent producer can hit a fatal
/// error (e.g. the broker fenced its producer id); it then refuses every message, so it is replaced
/// by a new one on the next send instead of leaving the process unable to publish.
/// </summary>
public sealed class KafkaProducer(KafkaClientFactory factory, ILogger<KafkaProducer> logger) : IDisposable
{
    private readonly Lock _lock = new();
    private IProducer<string, string>? _producer;
    private volatile bool _failed;

    /// <summary>Queues the message; <paramref name="onDelivery"/> runs on librdkafka's thread with the broker's verdict.</summary>
    public void Produce(string topic, Message<string, string> message, Action<DeliveryReport<string, string>> onDelivery) =>
        Current().Produce(topic, message, onDelivery);

    private IProducer<string, string> Current()
    {
        lock (_lock)
        {
            if (_failed && _producer is not null)
            {
                logger.LogWarning("Replacing the Kafka producer after a fatal error");
                _producer.Dispose();
                _producer = null;
            }
            _failed = false;
            return _producer ??= factory.CreateProducer(_ => _failed = true);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _producer?.Dispose();
            _producer = null;
        }
    }
}
