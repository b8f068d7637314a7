using System.Text;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Integrations.IntegrationTests.Messaging;

[Collection(MessagingCollection.Name)]
public sealed class OutboxToKafkaTests : IAsyncLifetime
{
    private MessagingHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await MessagingHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task An_ingested_event_is_published_with_key_envelope_and_headers_then_dispatched_and_completed()
    {
        await _harness.StartWorkerAsync();
        var tenantId = await _harness.CreateTenantAsync();

        var eventId = await _harness.IngestAsync(tenantId, 1);

        var read = _harness.ReadTopic(r => r.Any(m => m.Message.Value.Contains(eventId.ToString())), TimeSpan.FromSeconds(30));
        var message = read.Single(m => m.Message.Value.Contains(eventId.ToString())).Message;
        message.Key.ShouldBe(tenantId.ToString());
        var envelope = JsonDocument.Parse(message.Value).RootElement;
        envelope.GetProperty("id").GetGuid().ShouldBe(eventId);
        envelope.GetProperty("tenant_id").GetGuid().ShouldBe(tenantId);
        envelope.GetProperty("event_type").GetString().ShouldBe("invoice.paid");
        envelope.GetProperty("schema_version").GetInt32().ShouldBe(1);
        envelope.GetProperty("data").GetProperty("invoice_id").GetString().ShouldBe("in_1");
        string Header(string name) => Encoding.UTF8.GetString(message.Headers.GetLastBytes(name));
        Header("event-id").ShouldBe(eventId.ToString());
        Header("event-type").ShouldBe("invoice.paid");
        Header("tenant-id").ShouldBe(tenantId.ToString());
        Header("schema-version").ShouldBe("1");
        Header("content-type").ShouldBe("application/json");
        Header("correlation-id").ShouldNotBeNullOrWhiteSpace();
        long.Parse(Header("sequence")).ShouldBeGreaterThan(0);

        await _harness.WaitUntilDispatchedAsync([eventId], TimeSpan.FromSeconds(30));
        (await _harness.CountAsync("select count(*) from outbox where message_id = @id and published_at is not null and publish_count = 1",
            ("id", eventId))).ShouldBe(1);
    }

    [Fact]
    public async Task A_row_that_commits_after_later_rows_went_out_in_full_batches_is_still_published()
    {
        await _harness.StartWorkerAsync(new Dictionary<string, string?> { ["Outbox:BatchSize"] = "2" });
        // Rows no platform consumer awaits, like delivery outcomes: deleted once Kafka has them.
        var run = Guid.NewGuid().ToString("N");
        const string insert = """
            insert into outbox (message_id, topic, message_key, payload, headers, awaits_consumer)
            select gen_random_uuid(), 'integrations.webhook-deliveries.v1', @key || n, @run, '{}', false from generate_series(1, @count) n
            returning id
            """;
        await using var late = new Npgsql.NpgsqlConnection(_harness.ConnectionString);
        await late.OpenAsync();
        await using var transaction = await late.BeginTransactionAsync();
        await using (var lower = new Npgsql.NpgsqlCommand(insert, late, transaction))
        {
            lower.Parameters.AddWithValue("key", "late-");
            lower.Parameters.AddWithValue("count", 1);
            lower.Parameters.AddWithValue("run", run);
            await lower.ExecuteScalarAsync();
        }

        // Committed meanwhile with higher ids, drained in full batches: the relay reads past the open row.
        await _harness.ExecuteAsync(insert.Replace("returning id", ""), ("key", "early-"), ("count", 20), ("run", run));
        await Infrastructure.Eventually.HoldsAsync(
            async () => await _harness.CountAsync("select count(*) from outbox where message_key like 'early-%'") == 0,
            TimeSpan.FromSeconds(20), "the 20 committed rows were published and deleted");

        await transaction.CommitAsync();
        await Infrastructure.Eventually.HoldsAsync(
            async () => await _harness.CountAsync("select count(*) from outbox where message_key = 'late-1'") == 0,
            TimeSpan.FromSeconds(10), "the row committed late was published and deleted");
        var published = _harness.ReadTopic(r => r.Count(m => m.Message.Value == run) >= 21, TimeSpan.FromSeconds(10), "integrations.webhook-deliveries.v1")
            .Where(m => m.Message.Value == run).Select(m => m.Message.Key).ToList();
        published.Order().ShouldBe(Enumerable.Range(1, 20).Select(n => $"early-{n}").Append("late-1").Order(), "each row once, the late one too");
    }

    [Fact]
    public async Task The_relay_wakes_on_the_notification_sent_after_each_commit_not_on_its_poll()
    {
        var worker = await _harness.StartWorkerAsync(new Dictionary<string, string?> { ["Outbox:PollInterval"] = "00:05:00" });
        await MessagingHarness.WaitUntilActiveAsync(worker);
        var tenantId = await _harness.CreateTenantAsync();

        for (var n = 1; n <= 3; n++)
        {
            var eventId = await _harness.IngestAsync(tenantId, n);
            await Infrastructure.Eventually.HoldsAsync(
                async () => await _harness.CountAsync("select count(*) from outbox where message_id = @id and published_at is not null", ("id", eventId)) == 1,
                TimeSpan.FromSeconds(10), $"event {n} was published long before the relay's 5 minute poll");
        }
    }

    [Fact]
    public async Task A_row_backing_off_after_a_failed_publication_holds_back_the_later_rows_of_its_key_only()
    {
        var worker = await _harness.StartWorkerAsync();
        await MessagingHarness.WaitUntilActiveAsync(worker);
        var run = Guid.NewGuid().ToString("N");
        await InsertBackingOffRowAsync("held", $"{run} first");
        await _harness.ExecuteAsync("""
            insert into outbox (message_id, topic, message_key, payload, headers, awaits_consumer)
            values (gen_random_uuid(), 'integrations.webhook-deliveries.v1', 'held', @run || ' second', '{}', false),
                   (gen_random_uuid(), 'integrations.webhook-deliveries.v1', 'free', @run || ' other key', '{}', false);
            """, ("run", run));

        await Infrastructure.Eventually.HoldsAsync(
            async () => await _harness.CountAsync("select count(*) from outbox where message_key = 'free'") == 0,
            TimeSpan.FromSeconds(10), "the other key's row was published (and deleted)");
        (await _harness.CountAsync("select count(*) from outbox where message_key = 'held' and published_at is null")).ShouldBe(2,
            "the later row of the backing-off key waits for it");

        await Infrastructure.Eventually.HoldsAsync(
            async () => await _harness.CountAsync("select count(*) from outbox where message_key = 'held'") == 0,
            TimeSpan.FromSeconds(15), "both rows of the key were published once the first was due again");
        var held = _harness.ReadTopic(r => r.Count(m => m.Message.Value.StartsWith(run) && m.Message.Key == "held") >= 2, TimeSpan.FromSeconds(10),
                "integrations.webhook-deliveries.v1")
            .Where(m => m.Message.Value.StartsWith(run) && m.Message.Key == "held").ToList();
        held.Select(m => m.Message.Value).ShouldBe([$"{run} first", $"{run} second"], "the first row went to the topic before the second");
        held.Select(m => m.Partition.Value).Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public async Task Messages_no_consumer_awaits_share_a_row_per_key_and_reach_the_topic_in_order_with_their_headers()
    {
        // A round of two messages at most: a bundle larger than that still goes whole.
        var worker = await _harness.StartWorkerAsync(new Dictionary<string, string?> { ["Outbox:BatchSize"] = "2" });
        var run = Guid.NewGuid().ToString("N");
        OutboxMessage Message(string key, int n, bool awaits = false) => new(Guid.NewGuid(), "integrations.webhook-deliveries.v1", $"{run}-{key}",
            $"{run} {key} {n}", new Dictionary<string, string> { ["n"] = n.ToString(), ["key"] = key }, awaits);
        // Key a: five messages, bundled. Key b: one message, a row of its own. Key c: one of two awaits a consumer, so a row each.
        List<OutboxMessage> messages = [Message("a", 1), Message("b", 1), Message("a", 2), Message("c", 1), Message("a", 3), Message("c", 2, awaits: true),
            Message("a", 4), Message("a", 5)];

        // Held uncommitted so the rows can be counted before the relay takes them.
        await using var scope = worker.Services.CreateAsyncScope();
        var rowsBeforeCommit = await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().ExecuteAsync(async ct =>
        {
            await scope.ServiceProvider.GetRequiredService<IOutbox>().EnqueueAsync(messages, ct);
            return await scope.ServiceProvider.GetRequiredService<global::Integrations.Infrastructure.Persistence.DbSession>().RunAsync(async (connection, transaction) =>
            {
                await using var command = new Npgsql.NpgsqlCommand("""
                    select message_key || ':' || coalesce(cardinality(bundle_payloads), 0) from outbox where message_key like @run || '%' order by id
                    """, connection, transaction);
                command.Parameters.AddWithValue("run", run);
                var rows = new List<string>();
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) rows.Add(reader.GetString(0).Replace(run + "-", ""));
                return rows;
            }, ct);
        }, CancellationToken.None);
        rowsBeforeCommit.ShouldBe(["b:0", "c:0", "c:0", "a:5"], "single rows in the batch's order, then one bundle of key a's five messages");

        var read = _harness.ReadTopic(r => r.Count(m => m.Message.Value.StartsWith(run)) >= 8, TimeSpan.FromSeconds(20), "integrations.webhook-deliveries.v1")
            .Where(m => m.Message.Value.StartsWith(run)).ToList();
        read.Count.ShouldBe(8, "each message once");
        var a = read.Where(m => m.Message.Key == $"{run}-a").ToList();
        a.Select(m => m.Message.Value).ShouldBe(Enumerable.Range(1, 5).Select(n => $"{run} a {n}"), "the bundle's messages in order");
        a.Select(m => Encoding.UTF8.GetString(m.Message.Headers.GetLastBytes("n"))).ShouldBe(["1", "2", "3", "4", "5"], "each with its own headers");
        a.Select(m => m.Partition.Value).Distinct().Count().ShouldBe(1);
        await Infrastructure.Eventually.HoldsAsync(
            async () => await _harness.CountAsync("select count(*) from outbox where message_key like @run || '%' and published_at is null", ("run", run)) == 0,
            TimeSpan.FromSeconds(10), "every row was marked published");
        (await _harness.CountAsync("select count(*) from outbox where message_key like @run || '%'", ("run", run))).ShouldBe(1,
            "the bundle and the rows no consumer awaits were deleted; the awaited row stays until its consumer completes it");
    }

    [Fact]
    public async Task A_bundle_behind_a_backing_off_row_of_its_key_waits_for_it()
    {
        var worker = await _harness.StartWorkerAsync();
        await MessagingHarness.WaitUntilActiveAsync(worker);
        var run = Guid.NewGuid().ToString("N");
        await InsertBackingOffRowAsync(run, $"{run} first");
        await _harness.ExecuteAsync("""
            insert into outbox (message_id, topic, message_key, payload, headers, awaits_consumer, bundle_payloads, bundle_headers)
            values (gen_random_uuid(), 'integrations.webhook-deliveries.v1', @run, '', '{}', false, array[@run || ' second', @run || ' third'], array['{}', '{}']);
            """, ("run", run));

        await Task.Delay(TimeSpan.FromSeconds(1));
        (await _harness.CountAsync("select count(*) from outbox where message_key = @run and published_at is null", ("run", run))).ShouldBe(2,
            "the bundle waits for the older row of its key");
        var read = _harness.ReadTopic(r => r.Count(m => m.Message.Key == run) >= 3, TimeSpan.FromSeconds(15), "integrations.webhook-deliveries.v1")
            .Where(m => m.Message.Key == run).Select(m => m.Message.Value).ToList();
        read.ShouldBe([$"{run} first", $"{run} second", $"{run} third"]);
    }

    /// <summary>A row as the relay leaves one whose publication failed: counted, with its next attempt 3 s ahead.</summary>
    private Task InsertBackingOffRowAsync(string key, string payload) => _harness.ExecuteAsync("""
        insert into outbox (message_id, topic, message_key, payload, headers, awaits_consumer, failure_count, next_attempt_at, last_error)
        values (gen_random_uuid(), 'integrations.webhook-deliveries.v1', @key, @payload, '{}', false, 1, now() + interval '3 seconds', 'Local: Message timed out')
        """, ("key", key), ("payload", payload));
}
