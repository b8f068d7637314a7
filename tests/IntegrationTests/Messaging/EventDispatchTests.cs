using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Messaging;

/// <summary>
/// The Workers host's one consumer of integrations.events.v1: marking an event dispatched, creating
/// its webhook deliveries and completing its outbox row are one transaction per batch.
/// </summary>
[Collection(MessagingCollection.Name)]
public sealed class EventDispatchTests : IAsyncLifetime
{
    private MessagingHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await MessagingHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Dispatch_fan_out_and_outbox_completion_commit_in_one_transaction()
    {
        var tenant = await _harness.CreateTenantAsync();
        await _harness.CreateWebhookEndpointAsync(tenant);
        var worker = await _harness.StartWorkerAsync();
        await MessagingHarness.WaitUntilActiveAsync(worker);
        var ids = new List<Guid>();
        for (var i = 0; i < 20; i++) ids.Add(await _harness.IngestAsync(tenant, i));

        await _harness.WaitUntilDispatchedAsync(ids, TimeSpan.FromSeconds(30));
        // xmin is the transaction that wrote a row version; event store rows are never updated, and a
        // completed outbox row is not touched again.
        (await _harness.CountAsync("""
            select count(*) from marten.mt_events dispatched
            join marten.mt_events created on created.type = 'WebhookDeliveryCreated' and (created.data->>'event_id')::uuid = (dispatched.data->>'event_id')::uuid
            join outbox o on o.message_id = (dispatched.data->>'event_id')::uuid
            where dispatched.type = 'EventDispatched' and (dispatched.data->>'event_id')::uuid = any(@ids)
              and dispatched.xmin = created.xmin and dispatched.xmin = o.xmin
            """, ("ids", ids.ToArray()))).ShouldBe(ids.Count, "each event's dispatch, delivery and outbox completion committed together");
    }

    [Fact]
    public async Task An_event_whose_message_was_lost_before_the_workers_read_it_still_gets_its_webhook()
    {
        var tenant = await _harness.CreateTenantAsync();
        await _harness.CreateWebhookEndpointAsync(tenant);
        var lost = new List<Guid>();
        for (var i = 0; i < 3; i++) lost.Add(await _harness.IngestAsync(tenant, i));
        // As if the relay had published them and the broker lost them before any consumer read them.
        await _harness.ExecuteAsync("update outbox set published_at = now() - interval '5 seconds', publish_count = 1");
        (await _harness.CountAsync("select count(*) from webhook_deliveries")).ShouldBe(0);

        await _harness.StartWorkerAsync(new Dictionary<string, string?> { ["Outbox:CompletionTimeout"] = "00:00:02" });

        await _harness.WaitUntilDispatchedAsync(lost, TimeSpan.FromSeconds(30));
        (await _harness.CountAsync("select count(*) from webhook_deliveries where event_id = any(@ids)", ("ids", lost.ToArray())))
            .ShouldBe(lost.Count, "the republished messages were fanned out");
    }

    [Fact]
    public async Task A_message_naming_another_tenants_event_changes_nothing()
    {
        var owner = await _harness.CreateTenantAsync();
        var other = await _harness.CreateTenantAsync();
        await _harness.CreateWebhookEndpointAsync(other);
        var worker = await _harness.StartWorkerAsync();
        await MessagingHarness.WaitUntilActiveAsync(worker);
        var id = await _harness.IngestAsync(owner, 1);
        await _harness.WaitUntilDispatchedAsync([id], TimeSpan.FromSeconds(30));

        // A forged copy: the owner's event id under the other tenant, which has an endpoint.
        var forged = Guid.NewGuid();
        await _harness.ExecuteAsync("""
            insert into outbox (message_id, topic, message_key, payload, headers, awaits_consumer)
            select @forged, topic, @other::text, replace(payload, @owner::text, @other::text), headers, false from outbox where message_id = @id
            """, ("forged", forged), ("other", other), ("owner", owner), ("id", id));
        // Nothing awaits its completion, so the relay deletes the row once Kafka has the message.
        await Eventually.HoldsAsync(async () => await _harness.CountAsync("select count(*) from outbox where message_id = @forged", ("forged", forged)) == 0,
            TimeSpan.FromSeconds(30), "the forged message was published");
        var later = await _harness.IngestAsync(other, 2);
        await _harness.WaitUntilDispatchedAsync([later], TimeSpan.FromSeconds(30));

        (await _harness.CountAsync("select count(*) from webhook_deliveries where event_id = @id", ("id", id))).ShouldBe(0);
    }
}
