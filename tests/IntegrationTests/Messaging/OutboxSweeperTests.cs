using Integrations.IntegrationTests.Infrastructure;
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
