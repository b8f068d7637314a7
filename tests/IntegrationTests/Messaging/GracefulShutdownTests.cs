using Confluent.Kafka;
using Integrations.Workers;
using Shouldly;

namespace Integrations.IntegrationTests.Messaging;

[Collection(MessagingCollection.Name)]
public sealed class GracefulShutdownTests : IAsyncLifetime
{
    // Commits happen only on revocation and shutdown here, so the test sees what shutdown commits.
    private static readonly Dictionary<string, string?> NoPeriodicCommits = new()
    {
        ["Kafka:CommitIntervalMs"] = "3600000",
        ["Kafka:CommitBatchSize"] = "1000000",
    };

    private MessagingHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await MessagingHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Stopping_a_host_commits_what_it_processed_so_a_restarted_host_does_not_process_it_again()
    {
        var worker = await _harness.StartWorkerAsync(NoPeriodicCommits);
        await MessagingHarness.WaitUntilActiveAsync(worker);
        var tenants = new[] { await _harness.CreateTenantAsync(), await _harness.CreateTenantAsync(), await _harness.CreateTenantAsync() };
        var ids = new List<Guid>();
        for (var i = 0; i < 30; i++) ids.Add(await _harness.IngestAsync(tenants[i % tenants.Length], i));
        await _harness.WaitUntilDispatchedAsync(ids, TimeSpan.FromSeconds(30));
        Uncommitted().ShouldBeGreaterThan(0, "nothing was committed before shutdown");

        await _harness.StopWorkerAsync(worker);
        Uncommitted().ShouldBe(0, "shutdown committed every processed offset");

        var restarted = await _harness.StartWorkerAsync(NoPeriodicCommits);
        await MessagingHarness.WaitUntilActiveAsync(restarted);
        var later = await _harness.IngestAsync(tenants[0], 100);
        await _harness.WaitUntilDispatchedAsync([later], TimeSpan.FromSeconds(30));
        (await _harness.DispatchedCountAsync([.. ids, later])).ShouldBe(ids.Count + 1);
    }

    /// <summary>Messages on the events topic beyond the Workers group's committed offsets.</summary>
    private long Uncommitted()
    {
        // Fetching a group's committed offsets does not join the group.
        using var reader = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = _harness.Broker.BootstrapServers,
            GroupId = EventsTopicHandler.Group,
        }).Build();
        var partitions = Enumerable.Range(0, 12).Select(p => new TopicPartition(MessagingHarness.EventsTopic, p)).ToList();
        var committed = reader.Committed(partitions, TimeSpan.FromSeconds(10)).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        return partitions.Sum(p =>
        {
            var end = reader.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value;
            return end - Math.Max(0, committed[p.Partition.Value]);
        });
    }
}
