using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.Domain.Webhooks;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

[Collection(DeliveryCollection.Name)]
public class DeliveryIsolationTests(DeliveryFixture fixture)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    [Fact]
    public async Task An_event_of_one_tenant_never_reaches_another_tenants_endpoint_nor_its_delivery_log()
    {
        var a = await _system.CreateEndpointAsync(_sink);
        var b = await _system.CreateEndpointAsync(_sink);
        var aEvents = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => a.Tenant.Client.PublishAsync()));
        var bEvent = await b.Tenant.Client.PublishAsync();

        (await _sink.WaitForAsync(a.Path, 3, Soon)).Select(r => r.Json.GetProperty("id").GetGuid()).ShouldBe(aEvents, ignoreOrder: true);
        (await _sink.WaitForAsync(b.Path, 1, Soon)).Single().Json.GetProperty("id").GetGuid().ShouldBe(bEvent);
        var aDelivery = WebhookDeliveryDecider.DeliveryId(aEvents[0], a.Id);
        await a.Tenant.Client.WaitForDeliveryAsync(aDelivery, d => d.Status() == "succeeded", Soon, "A's delivery is logged");

        await (await b.Tenant.Client.GetAsync($"/api/v1/webhook-deliveries/{aDelivery}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "webhook_delivery_not_found");
        await (await b.Tenant.Client.PostAsync($"/api/v1/webhook-deliveries/{aDelivery}/retry", null)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "webhook_delivery_not_found");
        await (await b.Tenant.Client.GetAsync($"/api/v1/webhook-endpoints/{a.Id}/deliveries")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "webhook_endpoint_not_found");
        var bLog = await (await b.Tenant.Client.GetAsync($"/api/v1/webhook-deliveries?endpoint_id={a.Id}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        bLog.GetProperty("data").GetArrayLength().ShouldBe(0);
        var bAll = await (await b.Tenant.Client.GetAsync("/api/v1/webhook-deliveries")).ShouldBeJsonAsync(HttpStatusCode.OK);
        bAll.GetProperty("data").EnumerateArray().ShouldAllBe(d => d.GetProperty("tenant_id").GetGuid() == b.Tenant.TenantId);

        // The admin sees across tenants, or one tenant when it names it.
        var everyone = await (await _system.Admin.GetAsync("/api/v1/webhook-deliveries?limit=100")).ShouldBeJsonAsync(HttpStatusCode.OK);
        var tenants = everyone.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("tenant_id").GetGuid()).ToHashSet();
        tenants.ShouldContain(a.Tenant.TenantId);
        tenants.ShouldContain(b.Tenant.TenantId);
        var onlyA = await (await _system.Admin.GetAsync($"/api/v1/webhook-deliveries?tenant_id={a.Tenant.TenantId}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        onlyA.GetProperty("data").EnumerateArray().ShouldAllBe(d => d.GetProperty("tenant_id").GetGuid() == a.Tenant.TenantId);
        (await _system.Admin.GetDeliveryAsync(aDelivery)).GetProperty("tenant_id").GetGuid().ShouldBe(a.Tenant.TenantId);

        _sink.Received(b.Path).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task The_endpoint_log_is_paginated_and_filtered_by_status_and_event_type()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink);
        var client = endpoint.Tenant.Client;
        foreach (var _ in Enumerable.Range(0, 3)) await client.PublishAsync("invoice.paid");
        await client.PublishAsync("user.joined", new { user_id = "usr_1" });
        await _sink.WaitForAsync(endpoint.Path, 4, Soon);

        // The sink has them all, but each outcome is recorded after its response: wait for all four.
        await WaitForPageAsync(client, $"/api/v1/webhook-endpoints/{endpoint.Id}/deliveries?status=succeeded", 4);
        var first = await (await client.GetAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/deliveries?status=succeeded&limit=2"))
            .ShouldBeJsonAsync(HttpStatusCode.OK);
        first.GetProperty("data").GetArrayLength().ShouldBe(2);
        first.GetProperty("has_more").GetBoolean().ShouldBeTrue();
        var next = first.GetProperty("next_cursor").GetString();
        var second = await (await client.GetAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/deliveries?status=succeeded&limit=2&cursor={next}"))
            .ShouldBeJsonAsync(HttpStatusCode.OK);
        second.GetProperty("data").GetArrayLength().ShouldBe(2);
        second.GetProperty("has_more").GetBoolean().ShouldBeFalse();
        var created = first.GetProperty("data").EnumerateArray().Concat(second.GetProperty("data").EnumerateArray())
            .Select(d => d.GetProperty("created_at").GetDateTimeOffset()).ToList();
        created.ShouldBe(created.OrderDescending().ToList());

        var joined = await (await client.GetAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/deliveries?event_type=user.joined")).ShouldBeJsonAsync(HttpStatusCode.OK);
        joined.GetProperty("data").EnumerateArray().Single().GetProperty("event_type").GetString().ShouldBe("user.joined");
        await (await client.GetAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/deliveries?status=lost")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
    }

    [Fact]
    public async Task A_hanging_endpoint_does_not_delay_a_healthy_one_of_the_same_tenant_or_of_another()
    {
        var hanging = await _system.CreateEndpointAsync(_sink);
        var release = new TaskCompletionSource();
        _sink.Hold(hanging.Path, release.Task);
        var healthy = await _system.CreateEndpointAsync(_sink, tenant: hanging.Tenant);
        var other = await _system.CreateEndpointAsync(_sink);
        try
        {
            // More than the hanging endpoint's connection slots, so its backlog queues behind them.
            var published = new List<(Guid Id, DateTimeOffset At)>();
            for (var i = 0; i < 40; i++)
            {
                published.Add((await hanging.Tenant.Client.PublishAsync(), DateTimeOffset.UtcNow));
                if (i % 4 == 0) await other.Tenant.Client.PublishAsync();
            }

            var received = await _sink.WaitForAsync(healthy.Path, published.Count, TimeSpan.FromSeconds(15));
            await _sink.WaitForAsync(other.Path, 10, TimeSpan.FromSeconds(15));
            var arrival = received.ToDictionary(r => r.Json.GetProperty("id").GetGuid(), r => r.ReceivedAt);
            // The hanging endpoint holds its requests for the whole 10 s timeout.
            foreach (var (id, at) in published) (arrival[id] - at).ShouldBeLessThan(TimeSpan.FromSeconds(2), "a healthy delivery waited on the hanging endpoint");
            _sink.MaxConcurrent(hanging.Path).ShouldBeLessThanOrEqualTo(16, "the hanging endpoint holds no more than its own connection slots");
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task A_fast_endpoint_that_starts_hanging_gives_back_the_deliveries_waiting_for_its_connections()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink);
        var release = new TaskCompletionSource();
        var hanging = false;
        _sink.Respond(endpoint.Path, async (_, ct) =>
        {
            if (Volatile.Read(ref hanging)) await release.Task.WaitAsync(ct);
            return new SinkResponse(200);
        });
        // Answering at once, it earns a claim of several times its 16 connections.
        for (var i = 0; i < 10; i++) await endpoint.Tenant.Client.PublishAsync();
        await _sink.WaitForAsync(endpoint.Path, 10, Soon);
        var dispatcher = _system.Workers!.Dispatcher();
        await Infrastructure.Eventually.HoldsAsync(() => Task.FromResult(dispatcher.InFlight == 0), Soon, "the dispatcher is idle");

        Volatile.Write(ref hanging, true);
        var batch = new { events = Enumerable.Range(0, 80).Select(i => new { event_type = "invoice.paid", data = new { invoice_id = $"in_{i}", amount_cents = i, currency = "EUR" } }).ToArray() };
        var accepted = await (await endpoint.Tenant.Client.PostAsJsonAsync("/api/v1/events/batch", batch)).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        HashSet<string> hung;
        try
        {
            await _sink.WaitForAsync(endpoint.Path, 10 + 16, Soon);
            // What waited for a connection went back to the queue within a second or so; only the 16 hanging requests are held.
            await Infrastructure.Eventually.HoldsAsync(() => Task.FromResult(dispatcher.InFlight <= 16), TimeSpan.FromSeconds(5),
                "the dispatcher holds only the hanging endpoint's connections");
            (await _system.ScalarAsync<long>("select count(*) from webhook_delivery_queue where endpoint_id = @e and lease_until is null", ("e", endpoint.Id)))
                .ShouldBeGreaterThan(0, "deliveries given back are queued without a lease, for any instance");
            _sink.MaxConcurrent(endpoint.Path).ShouldBeLessThanOrEqualTo(16, "an endpoint never gets more than its connection slots");
            hung = _sink.Received(endpoint.Path).Skip(10).Select(r => r.WebhookId).ToHashSet();
        }
        finally
        {
            release.TrySetResult();
        }

        // Everything is delivered; nothing given back had been sent. (A hung request may have hit the
        // 10 s timeout on a slow machine and been retried: only those may arrive twice.)
        var expected = accepted.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()).ToHashSet();
        await Infrastructure.Eventually.HoldsAsync(() => Task.FromResult(
            _sink.Received(endpoint.Path).Skip(10).Select(r => r.Json.GetProperty("id").GetGuid()).ToHashSet().SetEquals(expected)),
            TimeSpan.FromSeconds(30), "every event of the batch delivered");
        await Task.Delay(TimeSpan.FromSeconds(1));
        _sink.Received(endpoint.Path).Skip(10).Where(r => !hung.Contains(r.WebhookId)).GroupBy(r => r.WebhookId)
            .ShouldAllBe(g => g.Count() == 1, "a delivery given back is sent once, when it is due again");
    }

    private static async Task<JsonElement> WaitForPageAsync(HttpClient client, string url, int count)
    {
        JsonElement page = default;
        await Infrastructure.Eventually.HoldsAsync(async () =>
        {
            page = await (await client.GetAsync(url)).ShouldBeJsonAsync(HttpStatusCode.OK);
            return page.GetProperty("data").GetArrayLength() == count;
        }, Soon, $"{count} deliveries listed");
        return page;
    }
}
