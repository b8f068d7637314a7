using Confluent.Kafka;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.Workers;
using Microsoft.Extensions.Hosting;
using Shouldly;

namespace Integrations.IntegrationTests.Messaging;

/// <summary>
/// The sweeper. The development broker keeps nothing across a restart, and any broker can lose an
/// acknowledged message in a disaster: PostgreSQL, not Kafka, decides when a message is done.
/// </summary>
[Collection(MessagingCollection.Name)]
public sealed class OutboxSweeperTests : IAsyncLifetime
{
    private MessagingHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await MessagingHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Messages_published_but_never_consumed_are_republished_by_the_sweeper_with_backoff_and_completed()
    {
        var tenant = await _harness.CreateTenantAsync();
        var lost = new List<Guid>();
        for (var i = 0; i < 5; i++) lost.Add(await _harness.IngestAsync(tenant, i));
        var backingOff = await _harness.IngestAsync(tenant, 99);

        // As if the relay had published them 5 s ago and the broker then lost them. The last one was
        // already published 4 times: its timeout doubled three times (2 s x 8 = 16 s), so it must wait.
        await _harness.ExecuteAsync("update outbox set published_at = now() - interval '5 seconds', publish_count = 1");
        await _harness.ExecuteAsync("update outbox set publish_count = 4 where message_id = @id", ("id", backingOff));

        await _harness.StartWorkerAsync(new Dictionary<string, string?> { ["Outbox:CompletionTimeout"] = "00:00:02" });

        await _harness.WaitUntilDispatchedAsync(lost, TimeSpan.FromSeconds(30));
        (await _harness.CountAsync("select count(*) from outbox where message_id = any(@ids) and publish_count = 2", ("ids", lost.ToArray())))
            .ShouldBe(lost.Count, "each lost message was published exactly once more");
        (await _harness.CountAsync("select count(*) from outbox where message_id = @id and publish_count = 4 and completed_at is null", ("id", backingOff)))
            .ShouldBe(1, "a message republished many times waits longer before the next attempt");
        var read = _harness.ReadTopic(r => lost.All(id => r.Any(m => m.Message.Value.Contains(id.ToString()))), TimeSpan.FromSeconds(30));
        read.ShouldNotContain(m => m.Message.Value.Contains(backingOff.ToString()));
    }

    [Fact]
    public async Task Messages_waiting_in_consumer_lag_are_not_republished_and_are_completed_once_when_the_consumer_is_back()
    {
        var tenant = await _harness.CreateTenantAsync();
        var worker = await StartWorkerWithCommittedOffsetsAsync(tenant);

        // The events consumer is gone (committing what it handled) while the relay and the sweeper
        // go on: a Workers outage, or a backlog far longer than the completion timeout.
        await MessagingHarness.EventsConsumer(worker).StopAsync(CancellationToken.None);
        var backlog = new List<Guid>();
        for (var i = 1; i <= 20; i++) backlog.Add(await _harness.IngestAsync(tenant, i));
        await WaitUntilPublishedAsync(backlog);

        // Several completion timeouts (1 s, then 2 s after the doubling) pass: the time rule alone
        // would have republished all of them.
        var observed = System.Diagnostics.Stopwatch.StartNew();
        while (observed.Elapsed < TimeSpan.FromSeconds(6))
        {
            (await _harness.CountAsync("select count(*) from outbox where message_id = any(@ids) and publish_count = 1 and published_at is not null", ("ids", backlog.ToArray())))
                .ShouldBe(backlog.Count, "messages ahead of the group's committed offset are waiting, not lost");
            await Task.Delay(250);
        }

        await _harness.StartWorkerAsync(LagSettings);
        await _harness.WaitUntilDispatchedAsync(backlog, TimeSpan.FromSeconds(60));
        (await _harness.DispatchedCountAsync(backlog)).ShouldBe(backlog.Count, "each event dispatched once");
        (await _harness.CountAsync("select count(*) from outbox where message_id = any(@ids) and publish_count = 1", ("ids", backlog.ToArray())))
            .ShouldBe(backlog.Count, "nothing was republished");
    }

    [Fact]
    public async Task A_lost_message_behind_more_waiting_messages_than_one_sweep_statement_reads_is_still_republished()
    {
        var tenant = await _harness.CreateTenantAsync();
        var worker = await StartWorkerWithCommittedOffsetsAsync(tenant, new Dictionary<string, string?>(LagSettings) { ["Outbox:SweepPageSize"] = "3" });
        await MessagingHarness.EventsConsumer(worker).StopAsync(CancellationToken.None);
        var backlog = new List<Guid>();
        for (var i = 1; i <= 10; i++) backlog.Add(await _harness.IngestAsync(tenant, i));
        await WaitUntilPublishedAsync(backlog);

        // After three pages of messages waiting in the group's lag, one whose place in Kafka is not
        // known (as for rows published before offsets were recorded): only the time rule can save it.
        var lost = await _harness.IngestAsync(tenant, 11);
        await WaitUntilPublishedAsync([lost]);
        (await _harness.CountAsync("with u as (update outbox set kafka_partition = null, kafka_offset = null where message_id = @id returning 1) select count(*) from u",
            ("id", lost))).ShouldBe(1);

        await Eventually.HoldsAsync(async () => await _harness.CountAsync(
                "select count(*) from outbox where message_id = @id and publish_count >= 2", ("id", lost)) == 1,
            TimeSpan.FromSeconds(30), "the sweeper reached the lost message behind the waiting ones and requeued it");
        (await _harness.CountAsync("select count(*) from outbox where message_id = any(@ids) and publish_count = 1", ("ids", backlog.ToArray())))
            .ShouldBe(backlog.Count, "the waiting messages were left alone");
    }

    [Fact]
    public async Task A_message_the_consumer_group_passed_without_completing_it_is_republished_and_completed()
    {
        var tenant = await _harness.CreateTenantAsync();
        var worker = await StartWorkerWithCommittedOffsetsAsync(tenant);
        await MessagingHarness.EventsConsumer(worker).StopAsync(CancellationToken.None);

        var skipped = await _harness.IngestAsync(tenant, 1);
        await WaitUntilPublishedAsync([skipped]);
        var partition = await _harness.ScalarAsync<int>("select kafka_partition from outbox where message_id = @id", ("id", skipped));
        var offset = await _harness.ScalarAsync<long>("select kafka_offset from outbox where message_id = @id", ("id", skipped));

        // A member of the group moves its committed offset past the message without handling it, as
        // when the broker lost it or a consumer skipped it. (The development broker refuses commits
        // from clients outside the group: "Unknown member".)
        using (var skipper = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = _harness.Broker.BootstrapServers,
            GroupId = EventsTopicHandler.Group,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            // The broker may keep a closed member until its session expires; the resumed worker's join waits for that.
            SessionTimeoutMs = 6000,
            HeartbeatIntervalMs = 500,
        }).Build())
        {
            skipper.Subscribe(MessagingHarness.EventsTopic);
            var joining = System.Diagnostics.Stopwatch.StartNew();
            while (skipper.Assignment.Count == 0)
            {
                joining.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), "the skipping client joined the group");
                skipper.Consume(TimeSpan.FromMilliseconds(200));
            }
            skipper.Commit([new TopicPartitionOffset(MessagingHarness.EventsTopic, partition, offset + 1)]);
            skipper.Close();
        }

        await Eventually.HoldsAsync(async () => await _harness.CountAsync(
                "select count(*) from outbox where message_id = @id and publish_count = 2 and published_at is not null and kafka_partition = @partition and kafka_offset > @offset",
                ("id", skipped), ("partition", partition), ("offset", offset)) == 1,
            TimeSpan.FromSeconds(30), "the sweeper requeued the passed message and the relay republished it after the committed offset");

        await _harness.StartWorkerAsync(LagSettings);
        await _harness.WaitUntilDispatchedAsync([skipped], TimeSpan.FromSeconds(60));
        (await _harness.DispatchedCountAsync([skipped])).ShouldBe(1);
    }

    private static readonly Dictionary<string, string?> LagSettings = new() { ["Outbox:CompletionTimeout"] = "00:00:01" };

    /// <summary>A worker whose events consumer has handled and committed one event of <paramref name="tenant"/>'s partition.</summary>
    private async Task<IHost> StartWorkerWithCommittedOffsetsAsync(Guid tenant, Dictionary<string, string?>? settings = null)
    {
        var worker = await _harness.StartWorkerAsync(settings ?? LagSettings);
        await MessagingHarness.WaitUntilActiveAsync(worker);
        var first = await _harness.IngestAsync(tenant, 0);
        await _harness.WaitUntilDispatchedAsync([first], TimeSpan.FromSeconds(30));
        return worker;
    }

    private Task WaitUntilPublishedAsync(IReadOnlyCollection<Guid> ids) =>
        Eventually.HoldsAsync(async () => await _harness.CountAsync(
                "select count(*) from outbox where message_id = any(@ids) and published_at is not null and kafka_offset is not null", ("ids", ids.ToArray())) == ids.Count,
            TimeSpan.FromSeconds(30), $"{ids.Count} messages published with their offsets");

    [Fact]
    public async Task Completed_messages_are_deleted_after_the_retention_period_and_others_are_kept()
    {
        var tenant = await _harness.CreateTenantAsync();
        var expired = await _harness.IngestAsync(tenant, 1);
        var recent = await _harness.IngestAsync(tenant, 2);
        var pending = await _harness.IngestAsync(tenant, 3);
        await _harness.ExecuteAsync("update outbox set published_at = now() - interval '8 days', completed_at = now() - interval '8 days' where message_id = @id", ("id", expired));
        await _harness.ExecuteAsync("update outbox set published_at = now() - interval '1 day', completed_at = now() - interval '1 day' where message_id = @id", ("id", recent));

        await _harness.StartWorkerAsync(new Dictionary<string, string?> { ["Outbox:RetentionPeriod"] = "7.00:00:00" });

        await _harness.WaitUntilDispatchedAsync([pending], TimeSpan.FromSeconds(30));
        await Eventually.HoldsAsync(async () => await _harness.CountAsync("select count(*) from outbox where message_id = @id", ("id", expired)) == 0,
            TimeSpan.FromSeconds(10), "the message completed 8 days ago is deleted");
        (await _harness.CountAsync("select count(*) from outbox where message_id = any(@ids)", ("ids", new[] { recent, pending }))).ShouldBe(2);
    }
}
