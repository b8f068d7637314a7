using System.Text;
using Confluent.Kafka;
using Shouldly;

namespace Integrations.IntegrationTests.Messaging;

/// <summary>At-least-once delivery means duplicates; the Workers host must absorb them.</summary>
[Collection(MessagingCollection.Name)]
public sealed class RedeliveryTests : IAsyncLifetime
{
    private MessagingHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await MessagingHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task A_redelivered_event_is_dispatched_only_once()
    {
        await MessagingHarness.WaitUntilActiveAsync(await _harness.StartWorkerAsync());
        var tenant = await _harness.CreateTenantAsync();
        var eventId = await _harness.IngestAsync(tenant, 1);
        await _harness.WaitUntilDispatchedAsync([eventId], TimeSpan.FromSeconds(30));

        var payload = await _harness.ScalarAsync<string>("select payload from outbox where message_id = @id", ("id", eventId));
        await ProduceAsync(tenant.ToString(), payload, ("event-id", eventId.ToString()), ("correlation-id", "redelivery-test"));
        await WaitUntilHandledAfterAsync(tenant);

        (await _harness.DispatchedCountAsync([eventId])).ShouldBe(1);
    }

    [Fact]
    public async Task A_redelivered_event_creates_no_delivery_twice_and_none_for_an_endpoint_created_after_it_was_dispatched()
    {
        await MessagingHarness.WaitUntilActiveAsync(await _harness.StartWorkerAsync());
        var tenant = await _harness.CreateTenantAsync();
        var before = await _harness.CreateWebhookEndpointAsync(tenant);
        var eventId = await _harness.IngestAsync(tenant, 1);
        await _harness.WaitUntilDispatchedAsync([eventId], TimeSpan.FromSeconds(30));
        var after = await _harness.CreateWebhookEndpointAsync(tenant);

        var payload = await _harness.ScalarAsync<string>("select payload from outbox where message_id = @id", ("id", eventId));
        await ProduceAsync(tenant.ToString(), payload, ("event-id", eventId.ToString()), ("correlation-id", "redelivery-test"));
        await WaitUntilHandledAfterAsync(tenant);

        // Only the transaction that dispatches an event fans it out: the endpoint that did not exist then gets nothing.
        (await _harness.CountAsync("select count(*) from webhook_deliveries where event_id = @id and endpoint_id = @endpoint", ("id", eventId), ("endpoint", before)))
            .ShouldBe(1);
        (await _harness.CountAsync("select count(*) from webhook_deliveries where event_id = @id and endpoint_id = @endpoint", ("id", eventId), ("endpoint", after)))
            .ShouldBe(0);
        (await _harness.CountAsync("select count(*) from marten.mt_events where type = 'WebhookDeliveryCreated' and data->>'event_id' = @id", ("id", eventId.ToString())))
            .ShouldBe(1, "one delivery stream for the event");
    }

    [Fact]
    public async Task An_unreadable_message_is_skipped_without_blocking_its_partition()
    {
        await MessagingHarness.WaitUntilActiveAsync(await _harness.StartWorkerAsync());
        var tenant = await _harness.CreateTenantAsync();

        await ProduceAsync(tenant.ToString(), "{ this is not an envelope");
        await ProduceAsync(tenant.ToString(), """{"id": "not-a-uuid"}""");
        await WaitUntilHandledAfterAsync(tenant);
    }

    private async Task ProduceAsync(string key, string value, params (string Name, string Value)[] headers)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = _harness.Broker.BootstrapServers, Acks = Acks.All }).Build();
        var message = new Message<string, string> { Key = key, Value = value, Headers = [] };
        foreach (var (name, text) in headers) message.Headers.Add(name, Encoding.UTF8.GetBytes(text));
        (await producer.ProduceAsync(MessagingHarness.EventsTopic, message)).Status.ShouldBe(PersistenceStatus.Persisted);
    }

    /// <summary>
    /// A new event of the tenant shares the partition of what was produced before it, behind it:
    /// once the new one is dispatched, the consumer has handled everything before it.
    /// </summary>
    private async Task WaitUntilHandledAfterAsync(Guid tenant)
    {
        var marker = await _harness.IngestAsync(tenant, 2);
        await _harness.WaitUntilDispatchedAsync([marker], TimeSpan.FromSeconds(30));
    }
}
