using System.Net;
using System.Net.Http.Json;
using Integrations.Domain.Webhooks;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

/// <summary>A system that disables an endpoint after 3 consecutive failed attempts.</summary>
public sealed class AutoDisableFixture() : DeliveryFixture(new AutoDisableSystem())
{
    private sealed class AutoDisableSystem : DeliverySystem
    {
        protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
        {
            ["Webhooks:AutoDisableAfterConsecutiveFailures"] = "3",
        };
    }
}

[Collection(DeliveryCollection.Name)]
public class DeliveryHealthTests(AutoDisableFixture fixture) : IClassFixture<AutoDisableFixture>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    [Fact]
    public async Task Consecutive_failures_disable_the_endpoint_tell_the_tenant_and_re_enabling_resumes_what_is_pending()
    {
        var failing = await _system.CreateEndpointAsync(_sink, ["invoice.paid"]);
        var watcher = await _system.CreateEndpointAsync(_sink, ["webhook_endpoint.disabled"], tenant: failing.Tenant);
        _sink.Respond(failing.Path, 500);
        var client = failing.Tenant.Client;
        var events = new List<Guid>();
        for (var i = 0; i < 3; i++) events.Add(await client.PublishAsync());

        await Infrastructure.Eventually.HoldsAsync(async () => (await client.GetEndpointAsync(failing.Id)).GetProperty("status").GetString() == "disabled",
            Soon, "the endpoint was disabled");
        var endpoint = await client.GetEndpointAsync(failing.Id);
        endpoint.GetProperty("disabled_reason").GetString().ShouldBe("consecutive_failures");
        endpoint.GetProperty("disabled_message").GetString()!.ShouldContain("3 consecutive delivery attempts failed");

        var told = (await _sink.WaitForAsync(watcher.Path, 1, Soon)).Single();
        told.Json.GetProperty("event_type").GetString().ShouldBe("webhook_endpoint.disabled");
        told.Json.GetProperty("data").GetProperty("endpoint_id").GetGuid().ShouldBe(failing.Id);
        told.Json.GetProperty("data").GetProperty("reason").GetString().ShouldBe("consecutive_failures");
        (await StandardWebhooksVerifier.VerifyAsync(told, watcher.Secret)).ShouldBe("verified");

        // Their retries were due within 1.1 s; a disabled endpoint gets none of them. A retry that
        // was already on its way when the third failure was recorded may still land, so count from
        // here: nothing more may come.
        var attemptsWhileDisabled = _sink.Received(failing.Path).Count;
        attemptsWhileDisabled.ShouldBeInRange(3, 4);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        _sink.Received(failing.Path).Count.ShouldBe(attemptsWhileDisabled, "a disabled endpoint got another attempt");
        foreach (var e in events)
            (await client.GetDeliveryAsync(WebhookDeliveryDecider.DeliveryId(e, failing.Id))).Status().ShouldBe("pending");

        _sink.Respond(failing.Path, 200);
        await (await client.PostAsync($"/api/v1/webhook-endpoints/{failing.Id}/enable", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        foreach (var e in events)
            await client.WaitForDeliveryAsync(WebhookDeliveryDecider.DeliveryId(e, failing.Id), d => d.Status() == "succeeded", Soon, "resumed after enabling");
        _sink.Received(failing.Path).Skip(attemptsWhileDisabled).Select(r => r.Json.GetProperty("id").GetGuid()).ShouldBe(events, ignoreOrder: true);
    }

    [Fact]
    public async Task A_410_dead_letters_the_delivery_and_disables_the_endpoint_at_once()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink);
        _sink.Respond(endpoint.Path, 410, "gone for good");
        var client = endpoint.Tenant.Client;
        var deliveryId = WebhookDeliveryDecider.DeliveryId(await client.PublishAsync(), endpoint.Id);

        var delivery = await client.WaitForDeliveryAsync(deliveryId, d => d.Status() == "failed", Soon, "dead-lettered on 410");
        delivery.GetProperty("failure_reason").GetString().ShouldBe("gone");
        delivery.Attempts().ShouldHaveSingleItem().GetProperty("response_body_excerpt").GetString().ShouldBe("gone for good");
        var disabled = await client.GetEndpointAsync(endpoint.Id);
        disabled.GetProperty("status").GetString().ShouldBe("disabled");
        disabled.GetProperty("disabled_reason").GetString().ShouldBe("gone");

        await client.PublishAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        _sink.Received(endpoint.Path).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Tests_need_an_enabled_endpoint_and_a_deleted_endpoints_pending_deliveries_are_dead_lettered_without_more_attempts()
    {
        // Not subscribed to webhook_endpoint.disabled, which disabling it below emits.
        var endpoint = await _system.CreateEndpointAsync(_sink, ["invoice.paid"]);
        var client = endpoint.Tenant.Client;
        await (await client.PostAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/disable", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        await (await client.PostAsJsonAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/test", new { event_type = "invoice.paid" }))
            .ShouldBeErrorAsync(HttpStatusCode.Conflict, "webhook_endpoint_disabled");
        await (await client.PostAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/enable", null)).ShouldBeJsonAsync(HttpStatusCode.OK);

        // Its retry is 30 s away, so the delivery is pending when the endpoint goes.
        _sink.Respond(endpoint.Path, 429, "later", new Dictionary<string, string> { ["Retry-After"] = "30" });
        var deliveryId = WebhookDeliveryDecider.DeliveryId(await client.PublishAsync(), endpoint.Id);
        await client.WaitForDeliveryAsync(deliveryId, d => d.GetProperty("attempt_count").GetInt32() == 1, Soon, "the first attempt failed");
        (await client.DeleteAsync($"/api/v1/webhook-endpoints/{endpoint.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var delivery = await client.WaitForDeliveryAsync(deliveryId, d => d.Status() == "failed", Soon, "dead-lettered when its endpoint is gone");
        delivery.GetProperty("failure_reason").GetString().ShouldBe("endpoint_deleted");
        delivery.GetProperty("attempt_count").GetInt32().ShouldBe(1);
        _sink.Received(endpoint.Path).ShouldHaveSingleItem();
        await (await client.PostAsync($"/api/v1/webhook-deliveries/{deliveryId}/retry", null)).ShouldBeErrorAsync(HttpStatusCode.Conflict, "webhook_endpoint_not_found");
    }

    [Fact]
    public async Task The_delivery_projections_rebuild_from_the_log_to_the_rows_the_batches_wrote()
    {
        var retried = await _system.CreateEndpointAsync(_sink, ["invoice.paid"]);
        var gone = await _system.CreateEndpointAsync(_sink, ["invoice.paid"], tenant: retried.Tenant);
        _sink.RespondInTurn(retried.Path, 500, 200);
        _sink.Respond(gone.Path, 410);
        var client = retried.Tenant.Client;
        var eventId = await client.PublishAsync();
        await client.WaitForDeliveryAsync(WebhookDeliveryDecider.DeliveryId(eventId, retried.Id), d => d.Status() == "succeeded", Soon, "delivered on the retry");
        await client.WaitForDeliveryAsync(WebhookDeliveryDecider.DeliveryId(eventId, gone.Id), d => d.Status() == "failed", Soon, "dead-lettered on 410");

        var before = await SnapshotAsync(retried.Tenant.TenantId);
        foreach (var projection in new[] { "webhook_deliveries", "webhook_endpoint_health" })
            await (await _system.Admin.PostAsync($"/api/v1/admin/projections/{projection}/rebuild", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        (await SnapshotAsync(retried.Tenant.TenantId)).ShouldBe(before);
        before.ShouldContain(row => row.Contains("retries_exhausted") || row.Contains("gone"));
    }

    [Fact]
    public async Task The_last_hour_comes_from_the_async_daemon_which_reports_its_lag_and_rebuilds_to_the_same_rows()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink, ["invoice.paid"]);
        _sink.RespondInTurn(endpoint.Path, 500, 200, 200);
        var client = endpoint.Tenant.Client;
        var events = new[] { await client.PublishAsync(), await client.PublishAsync() };
        foreach (var e in events)
            await client.WaitForDeliveryAsync(WebhookDeliveryDecider.DeliveryId(e, endpoint.Id), d => d.Status() == "succeeded", Soon, "delivered");

        // Three attempts, one failed, counted in the transactions that recorded them (an inline projection).
        System.Text.Json.JsonElement lastHour = default;
        await Infrastructure.Eventually.HoldsAsync(async () =>
        {
            lastHour = (await (await client.GetAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/health")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("last_hour");
            return lastHour.GetProperty("attempts").GetInt32() == 3;
        }, Soon, "the stats projection counted the attempts");
        lastHour.GetProperty("succeeded").GetInt32().ShouldBe(2);
        lastHour.GetProperty("failed").GetInt32().ShouldBe(1);
        lastHour.GetProperty("success_rate").GetDouble().ShouldBe(0.6667);
        lastHour.GetProperty("window_minutes").GetInt32().ShouldBe(60);

        var projections = await (await _system.Admin.GetAsync("/api/v1/admin/projections")).ShouldBeJsonAsync(HttpStatusCode.OK);
        var stats = projections.GetProperty("data").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "webhook_delivery_stats");
        (stats.GetProperty("lifecycle").GetString(), stats.GetProperty("lag").GetInt64()).ShouldBe(("inline", 0L));
        var daemon = projections.GetProperty("data").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "entities");
        daemon.GetProperty("lifecycle").GetString().ShouldBe("async");
        daemon.GetProperty("lag").GetInt64().ShouldBe(projections.GetProperty("high_water_mark").GetInt64() - daemon.GetProperty("position").GetInt64());
        var inline = projections.GetProperty("data").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "events");
        (inline.GetProperty("lifecycle").GetString(), inline.GetProperty("lag").GetInt64()).ShouldBe(("inline", 0L));

        var before = await _system.ScalarAsync<string>("select string_agg(row_to_json(s)::text, ',' order by minute) from webhook_delivery_stats s where endpoint_id = @e",
            ("e", endpoint.Id));
        await (await _system.Admin.PostAsync("/api/v1/admin/projections/webhook_delivery_stats/rebuild", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        (await _system.ScalarAsync<string>("select string_agg(row_to_json(s)::text, ',' order by minute) from webhook_delivery_stats s where endpoint_id = @e",
            ("e", endpoint.Id))).ShouldBe(before);
    }

    /// <summary>The tenant's rows of every delivery projection, as text, in a fixed order.</summary>
    private Task<string[]> SnapshotAsync(Guid tenantId) =>
        _system.ScalarAsync<string[]>("""
            select array(
                select 'delivery ' || row_to_json(d)::text from webhook_deliveries d where tenant_id = @tenant
                union all select 'queued ' || row_to_json(q)::text from webhook_delivery_queue q where tenant_id = @tenant
                union all select 'health ' || row_to_json(h)::text from webhook_endpoint_health h where tenant_id = @tenant
                order by 1)
            """, ("tenant", tenantId));
}
