using Confluent.Kafka;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Hosting;
using Shouldly;

namespace Integrations.IntegrationTests.Messaging;

/// <summary>Several Workers hosts: they share the partitions, one leads the relay, and a survivor takes over everything.</summary>
[Collection(MessagingCollection.Name)]
public sealed class ConsumerGroupTests : IAsyncLifetime
{
    private const int Partitions = 12;
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(6);

    private MessagingHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await MessagingHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Two_hosts_share_the_partitions_dispatch_each_event_once_and_the_survivor_takes_over()
    {
        var first = await _harness.StartWorkerAsync();
        var second = await _harness.StartWorkerAsync();
        await Eventually.HoldsAsync(() => Task.FromResult(Owned(first).Count > 0 && Owned(second).Count > 0 && Owned(first).Count + Owned(second).Count == Partitions),
            TimeSpan.FromSeconds(30), "both hosts own partitions and together all of them");
        Owned(first).Intersect(Owned(second)).ShouldBeEmpty();
        await Eventually.HoldsAsync(() => Task.FromResult(MessagingHarness.Relay(first).IsLeader != MessagingHarness.Relay(second).IsLeader),
            TimeSpan.FromSeconds(10), "exactly one host leads the relay");

        var tenants = new List<Guid>();
        for (var t = 0; t < 12; t++) tenants.Add(await _harness.CreateTenantAsync());
        var ids = new List<Guid>();
        for (var i = 0; i < 60; i++) ids.Add(await _harness.IngestAsync(tenants[i % tenants.Count], i));
        await _harness.WaitUntilDispatchedAsync(ids, TimeSpan.FromSeconds(30));
        (await _harness.DispatchedCountAsync(ids)).ShouldBe(ids.Count);

        // Stop the relay's leader, so both its consumer and its relay duty must move.
        var (leaving, survivor) = MessagingHarness.Relay(first).IsLeader ? (first, second) : (second, first);
        await _harness.StopWorkerAsync(leaving);
        await Eventually.HoldsAsync(() => Task.FromResult(Owned(survivor).Count == Partitions && MessagingHarness.Relay(survivor).IsLeader),
            2 * SessionTimeout, "the survivor owns every partition and leads the relay");

        var later = new List<Guid>();
        for (var i = 0; i < 24; i++) later.Add(await _harness.IngestAsync(tenants[i % tenants.Count], 100 + i));
        await _harness.WaitUntilDispatchedAsync(later, TimeSpan.FromSeconds(30));
        (await _harness.DispatchedCountAsync([.. ids, .. later])).ShouldBe(ids.Count + later.Count);
    }

    private static IReadOnlyList<TopicPartition> Owned(IHost host) => MessagingHarness.EventsConsumer(host).Assignment;
}
