using Confluent.Kafka;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.Workers;
using Shouldly;

namespace Integrations.IntegrationTests.Messaging;

/// <summary>
/// The events consumer's group was renamed (integrations.workers.webhook-fanout →
/// integrations.workers.events-dispatch): an upgraded host starts each partition where the former
/// group committed, so nothing is consumed again from the beginning and nothing is skipped.
/// </summary>
[Collection(MessagingCollection.Name)]
public sealed class ConsumerGroupRenameTests : IAsyncLifetime
{
    private MessagingHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await MessagingHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task The_renamed_group_starts_where_the_former_group_committed_consuming_nothing_again_and_skipping_nothing()
    {
        // Events on several partitions, on the topic and not yet consumed: a relay-only host
        // publishes them and stops (its sweeper would republish what no consumer completes).
        var tenants = new List<Guid>();
        for (var t = 0; t < 12; t++) tenants.Add(await _harness.CreateTenantAsync());
        var ids = new List<Guid>();
        for (var i = 0; i < 48; i++) ids.Add(await _harness.IngestAsync(tenants[i % tenants.Count], i));
        var relay = await _harness.StartWorkerAsync(new Dictionary<string, string?> { [WorkerPipelines.ConfigurationKey] = WorkerPipelines.OutboxRelay });
        await Eventually.HoldsAsync(async () => await _harness.CountAsync(
                "select count(*) from outbox where message_id = any(@ids) and kafka_offset is not null", ("ids", ids.ToArray())) == ids.Count,
            TimeSpan.FromSeconds(30), "every event is on the topic");
        await _harness.StopWorkerAsync(relay);

        var partitions = (await PositionsAsync(ids)).GroupBy(p => p.Partition).OrderBy(g => g.Key)
            .Select(g => g.OrderBy(p => p.Offset).ToList()).ToList();
        partitions.Count.ShouldBeGreaterThanOrEqualTo(4, "12 tenants' keys spread over the 12 partitions");
        // Neither group committed here: from the oldest message.
        var untouched = partitions[0];
        // The former group had consumed all of it, the renamed one only up to its first message: the group's own offset wins.
        var ownOffset = partitions[1];
        // The former group had consumed all of it: nothing to do, and the hand-over is committed although nothing arrives.
        var finished = partitions[2];
        // The former group stopped halfway.
        var halfway = partitions.Skip(3).ToList();

        CommitAsMemberOf(EventsTopicHandler.FormerGroup, [
            End(ownOffset), End(finished), .. halfway.Select(p => Position(p[p.Count / 2]))]);
        CommitAsMemberOf(EventsTopicHandler.Group, [Position(ownOffset[0])]);

        List<Guid> consumed = [.. untouched.Select(p => p.Id), .. ownOffset.Select(p => p.Id), .. halfway.SelectMany(p => p.Skip(p.Count / 2)).Select(p => p.Id)];
        List<Guid> alreadyConsumed = [.. finished.Select(p => p.Id), .. halfway.SelectMany(p => p.Take(p.Count / 2)).Select(p => p.Id)];

        await _harness.StartWorkerAsync(new Dictionary<string, string?> { [WorkerPipelines.ConfigurationKey] = WorkerPipelines.EventsDispatch });
        await _harness.WaitUntilDispatchedAsync(consumed, TimeSpan.FromSeconds(60));
        (await _harness.DispatchedCountAsync(consumed)).ShouldBe(consumed.Count, "each event the former group had not consumed is dispatched once");
        // A partition is consumed in offset order: had the consumer started before the former
        // group's offset, the events there would have been dispatched before the later ones.
        (await _harness.DispatchedCountAsync(alreadyConsumed)).ShouldBe(0, "nothing the former group had consumed is consumed again");

        // The renamed group now holds the positions itself, the finished partition's included.
        await Eventually.HoldsAsync(() => Task.FromResult(Committed(EventsTopicHandler.Group, partitions).SequenceEqual(partitions.Select(p => End(p).Offset.Value))),
            TimeSpan.FromSeconds(10), "the renamed group committed every partition's end");
        (await _harness.DispatchedCountAsync(alreadyConsumed)).ShouldBe(0);
    }

    private sealed record Published(Guid Id, int Partition, long Offset);

    private async Task<List<Published>> PositionsAsync(IReadOnlyCollection<Guid> ids)
    {
        var positions = new List<Published>();
        foreach (var id in ids)
            positions.Add(new Published(id, await _harness.ScalarAsync<int>("select kafka_partition from outbox where message_id = @id", ("id", id)),
                await _harness.ScalarAsync<long>("select kafka_offset from outbox where message_id = @id", ("id", id))));
        return positions;
    }

    /// <summary>A committed offset that starts the group at this message.</summary>
    private static TopicPartitionOffset Position(Published message) => new(MessagingHarness.EventsTopic, message.Partition, message.Offset);

    /// <summary>A committed offset past the partition's last message.</summary>
    private static TopicPartitionOffset End(List<Published> partition) => new(MessagingHarness.EventsTopic, partition[^1].Partition, partition[^1].Offset + 1);

    /// <summary>
    /// Commits offsets as a member of <paramref name="groupId"/>, as that group's consumer once did
    /// (the development broker refuses commits from clients outside the group), then leaves it.
    /// </summary>
    private void CommitAsMemberOf(string groupId, IReadOnlyList<TopicPartitionOffset> offsets)
    {
        using var member = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = _harness.Broker.BootstrapServers,
            GroupId = groupId,
            EnableAutoCommit = false,
            SessionTimeoutMs = 6000,
            HeartbeatIntervalMs = 500,
        }).Build();
        member.Subscribe(MessagingHarness.EventsTopic);
        var joining = System.Diagnostics.Stopwatch.StartNew();
        while (member.Assignment.Count == 0)
        {
            joining.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), $"joined {groupId}");
            member.Consume(TimeSpan.FromMilliseconds(200));
        }
        member.Commit(offsets);
        member.Close();
    }

    /// <summary>The group's committed offsets on the partitions, read without joining it; -1 where it has none.</summary>
    private List<long> Committed(string groupId, IEnumerable<List<Published>> partitions)
    {
        using var reader = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = _harness.Broker.BootstrapServers, GroupId = groupId }).Build();
        var committed = reader.Committed(partitions.Select(p => new TopicPartition(MessagingHarness.EventsTopic, p[0].Partition)), TimeSpan.FromSeconds(10));
        return [.. committed.Select(c => c.Offset.IsSpecial ? -1 : c.Offset.Value)];
    }
}
