using System.Collections.Concurrent;
using Confluent.Kafka;
using Integrations.Infrastructure;
using Integrations.Infrastructure.Messaging;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shouldly;

namespace Integrations.IntegrationTests.Messaging;

/// <summary>The consumer framework with a handler of the test's own: failures are retried, never skipped.</summary>
[Collection(MessagingCollection.Name)]
public sealed class ConsumerRetryTests : IAsyncLifetime
{
    private const string Topic = "test.retries";

    private MessagingHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await MessagingHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task A_failing_message_is_retried_in_place_until_it_succeeds_and_later_ones_wait_for_it()
    {
        await _harness.Broker.CreateTopicAsync(Topic, 1);
        var journal = new Journal { FailuresLeft = { ["m2"] = 3 } };
        var builder = Host.CreateApplicationBuilder(["--environment", "Testing"]);
        builder.Configuration.AddInMemoryCollection(_harness.Configuration());
        builder.Services.AddInfrastructure(builder.Configuration);
        builder.Services.AddSingleton(journal);
        builder.Services.AddKafkaBatchConsumer<RecordingHandler>();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = _harness.Broker.BootstrapServers }).Build())
                foreach (var value in new[] { "m1", "m2", "m3", "m4" })
                    await producer.ProduceAsync(Topic, new Message<string, string> { Key = "k", Value = value });

            await Eventually.HoldsAsync(() => Task.FromResult(journal.Handled.Count == 4), TimeSpan.FromSeconds(30), "all four messages handled");
            journal.Handled.ShouldBe(["m1", "m2", "m3", "m4"]);
            journal.Attempts["m2"].ShouldBe(4);
            journal.Attempts["m3"].ShouldBe(1);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    public sealed class Journal
    {
        public ConcurrentDictionary<string, int> FailuresLeft { get; } = new();

        public ConcurrentDictionary<string, int> Attempts { get; } = new();

        public ConcurrentQueue<string> Handled { get; } = new();
    }

    /// <summary>Batches of one, so the test pins which message is retried: a failed batch is retried whole.</summary>
    public sealed class RecordingHandler(Journal journal, RequestContext context) : IBatchMessageHandler
    {
        public string Topic => ConsumerRetryTests.Topic;

        public string GroupId => "test.retries.group";

        public int MaxBatchSize => 1;

        public Task HandleBatchAsync(IReadOnlyList<ConsumeResult<string, string>> messages, CancellationToken ct)
        {
            context.Actor.ShouldBe("worker:test.retries.group");
            var value = messages.ShouldHaveSingleItem().Message.Value;
            journal.Attempts.AddOrUpdate(value, 1, (_, n) => n + 1);
            if (journal.FailuresLeft.TryGetValue(value, out var left) && left > 0)
            {
                journal.FailuresLeft[value] = left - 1;
                throw new InvalidOperationException($"{value} fails ({left} failures left)");
            }
            journal.Handled.Enqueue(value);
            return Task.CompletedTask;
        }
    }
}
