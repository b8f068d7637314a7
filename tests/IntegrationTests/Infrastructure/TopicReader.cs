using Confluent.Kafka;

namespace Integrations.IntegrationTests.Infrastructure;

public static class TopicReader
{
    /// <summary>
    /// Reads <paramref name="topic"/> from the beginning, in a consumer group of its own, until
    /// <paramref name="done"/> holds for what was read (or the timeout passes: TimeoutException).
    /// </summary>
    public static List<ConsumeResult<string, string>> ReadTopic(this TestSystem system, string topic,
        Func<IReadOnlyList<ConsumeResult<string, string>>, bool> done, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = system.Broker.BootstrapServers,
            GroupId = "test-reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var read = new List<ConsumeResult<string, string>>();
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            while (!done(read))
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"Read {read.Count} messages of {topic} within {timeout.TotalSeconds:F0} s, not what the test expected.");
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { Message: not null } result) read.Add(result);
            }
            return read;
        }
        finally
        {
            consumer.Close();
        }
    }
}
