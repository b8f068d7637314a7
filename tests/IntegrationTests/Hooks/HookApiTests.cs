using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Integrations.Domain.EventTypes;
using Integrations.Domain.Webhooks;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.Hooks;

/// <summary>
/// The REST Hooks API (ADR 0022) against the running system: subscribe, list, get, unsubscribe,
/// samples, the filter at fan-out and 410 Gone, with a real sink as the automation tool's target.
/// </summary>
[Collection(DeliveryCollection.Name)]
public class HookApiTests(DeliveryFixture fixture)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);
    private static readonly object[] StatusChanged = [new { path = "data.changed_fields", op = "contains", value = "status" }];
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    private async Task<(Guid Id, string Secret, string Path, JsonElement Body)> SubscribeAsync(HttpClient client, string[] eventTypes, object[]? filter = null)
    {
        var path = _sink.NewPath("zap");
        var response = await client.PostAsJsonAsync("/api/v1/hooks", new { target_url = _sink.Url(path), event_types = eventTypes, filter });
        response.Headers.CacheControl?.NoStore.ShouldBeTrue("the response carries the signing secret");
        var body = await response.ShouldBeJsonAsync(HttpStatusCode.Created);
        var id = body.GetProperty("id").GetGuid();
        response.Headers.Location!.ToString().ShouldBe($"/api/v1/hooks/{id}");
        return (id, body.GetProperty("secret").GetString()!, path, body);
    }

    private static Task<Guid> PublishEntityUpdatedAsync(HttpClient client, params string[] changedFields) =>
        client.PublishAsync("entity.updated", new { entity_id = "ent_" + Guid.NewGuid().ToString("N")[..8], entity_type = "project", changed_fields = changedFields });

    [Fact]
    public async Task Subscribe_list_get_and_unsubscribe_follow_the_rest_hooks_contract_for_the_tenants_hooks_only()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var client = tenant.Client;
        var plainEndpoint = await _system.CreateEndpointAsync(_sink, ["invoice.paid"], tenant: tenant);

        var (id, secret, path, created) = await SubscribeAsync(client, ["entity.updated"], StatusChanged);
        secret.ShouldStartWith("whsec_");
        created.GetProperty("target_url").GetString().ShouldBe(_sink.Url(path));
        created.GetProperty("event_types").EnumerateArray().Select(t => t.GetString()).ShouldBe(["entity.updated"]);
        created.GetProperty("status").GetString().ShouldBe("enabled");
        var condition = created.GetProperty("filter").EnumerateArray().ShouldHaveSingleItem();
        (condition.GetProperty("path").GetString(), condition.GetProperty("op").GetString(), condition.GetProperty("value").GetString())
            .ShouldBe(("data.changed_fields", "contains", "status"));
        var other = await SubscribeAsync(client, ["user.joined"]);
        other.Body.GetProperty("filter").GetArrayLength().ShouldBe(0);

        var listed = await (await client.GetAsync("/api/v1/hooks")).ShouldBeJsonAsync(HttpStatusCode.OK);
        listed.GetProperty("data").EnumerateArray().Select(h => h.GetProperty("id").GetGuid()).ShouldBe([other.Id, id], "newest first, no plain endpoint");
        listed.GetRawText().ShouldNotContain("whsec_");
        var limited = await (await client.GetAsync("/api/v1/hooks?limit=1")).ShouldBeJsonAsync(HttpStatusCode.OK);
        limited.GetProperty("has_more").GetBoolean().ShouldBeTrue();
        var next = await (await client.GetAsync($"/api/v1/hooks?limit=1&cursor={limited.GetProperty("next_cursor").GetString()}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        next.GetProperty("data").EnumerateArray().Single().GetProperty("id").GetGuid().ShouldBe(id);

        var read = await (await client.GetAsync($"/api/v1/hooks/{id}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        read.GetProperty("target_url").GetString().ShouldBe(_sink.Url(path));
        read.TryGetProperty("secret", out _).ShouldBeFalse();
        // A hook is a webhook endpoint: its delivery log, health and secret are served there.
        (await client.GetAsync($"/api/v1/webhook-endpoints/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _system.ScalarAsync<string>("select kind from webhook_endpoints where id = @id", ("id", id))).ShouldBe("hook");
        await (await client.GetAsync($"/api/v1/hooks/{plainEndpoint.Id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "hook_not_found");
        await (await client.DeleteAsync($"/api/v1/hooks/{plainEndpoint.Id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "hook_not_found");

        var stranger = await _system.CreateTenantWithKeyAsync();
        await (await stranger.Client.GetAsync($"/api/v1/hooks/{id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "hook_not_found");
        await (await stranger.Client.DeleteAsync($"/api/v1/hooks/{id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "hook_not_found");
        (await (await stranger.Client.GetAsync("/api/v1/hooks")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);

        (await client.DeleteAsync($"/api/v1/hooks/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await client.GetAsync($"/api/v1/hooks/{id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "hook_not_found");
        await (await client.DeleteAsync($"/api/v1/hooks/{id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "hook_not_found");
        (await client.GetAsync($"/api/v1/webhook-endpoints/{plainEndpoint.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK, "the plain endpoint stays");
    }

    [Fact]
    public async Task A_hook_receives_the_events_its_filter_passes_signed_like_any_endpoint_and_nothing_after_unsubscribing()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var client = tenant.Client;
        var everyUpdate = await _system.CreateEndpointAsync(_sink, ["entity.updated"], tenant: tenant);
        var hook = await SubscribeAsync(client, ["entity.updated"], StatusChanged);

        var renamed = await PublishEntityUpdatedAsync(client, "name");
        var statusChanged = await PublishEntityUpdatedAsync(client, "name", "status");
        await _sink.WaitForAsync(everyUpdate.Path, 2, Soon);

        var received = (await _sink.WaitForAsync(hook.Path, 1, Soon)).ShouldHaveSingleItem();
        received.Json.GetProperty("id").GetGuid().ShouldBe(statusChanged);
        received.Json.GetProperty("event_type").GetString().ShouldBe("entity.updated");
        received.Json.GetProperty("endpoint_id").GetGuid().ShouldBe(hook.Id);
        (await StandardWebhooksVerifier.VerifyAsync(received, hook.Secret)).ShouldBe("verified");
        // Both events were fanned out (the plain endpoint got both): the renaming made no delivery for the hook at all.
        (await client.GetAsync($"/api/v1/webhook-deliveries/{WebhookDeliveryDecider.DeliveryId(renamed, hook.Id)}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await client.WaitForDeliveryAsync(WebhookDeliveryDecider.DeliveryId(statusChanged, hook.Id), d => d.Status() == "succeeded", Soon, "logged like any delivery");

        (await client.DeleteAsync($"/api/v1/hooks/{hook.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await PublishEntityUpdatedAsync(client, "status");
        await _sink.WaitForAsync(everyUpdate.Path, 3, Soon);
        _sink.Received(hook.Path).Count.ShouldBe(1, "an unsubscribed hook receives nothing more");
    }

    [Fact]
    public async Task A_hooks_target_answering_410_deletes_the_hook_while_a_plain_endpoint_answering_410_is_only_disabled()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var client = tenant.Client;
        var endpoint = await _system.CreateEndpointAsync(_sink, ["invoice.paid"], tenant: tenant);
        var hook = await SubscribeAsync(client, ["invoice.paid"]);
        _sink.Respond(hook.Path, 410, "zap turned off");
        _sink.Respond(endpoint.Path, 410, "gone");

        var eventId = await client.PublishAsync();

        await Eventually.HoldsAsync(async () => (await client.GetAsync($"/api/v1/hooks/{hook.Id}")).StatusCode == HttpStatusCode.NotFound, Soon, "the hook was deleted");
        (await client.GetAsync($"/api/v1/webhook-endpoints/{hook.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _system.ScalarAsync<long>("select count(*) from webhook_endpoints where id = @id", ("id", hook.Id))).ShouldBe(0);
        var delivery = await client.WaitForDeliveryAsync(WebhookDeliveryDecider.DeliveryId(eventId, hook.Id), d => d.Status() == "failed", Soon, "dead-lettered on 410");
        delivery.Attempts().ShouldHaveSingleItem().GetProperty("status_code").GetInt32().ShouldBe(410);

        await Eventually.HoldsAsync(async () => (await client.GetEndpointAsync(endpoint.Id)).GetProperty("status").GetString() == "disabled", Soon,
            "the plain endpoint was disabled");
        (await client.GetEndpointAsync(endpoint.Id)).GetProperty("disabled_reason").GetString().ShouldBe("gone");

        await client.PublishAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        _sink.Received(hook.Path).Count.ShouldBe(1, "a deleted hook receives nothing more");
    }

    [Fact]
    public async Task Bad_subscriptions_are_refused_in_the_documented_format_and_store_nothing()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var client = tenant.Client;
        var target = _sink.Url(_sink.NewPath("zap"));

        var missing = await (await client.PostAsJsonAsync("/api/v1/hooks", new { event_types = new[] { "entity.created" } }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        missing.Fields().ShouldContain("target_url");
        var unknown = await (await client.PostAsJsonAsync("/api/v1/hooks", new { target_url = target, event_types = new[] { "entity.exploded" } }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        unknown.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("code").GetString()).ShouldContain("unknown_event_type");
        // The SSRF rules in production's policy: HookSsrfTests.
        var credentials = await (await client.PostAsJsonAsync("/api/v1/hooks", new { target_url = "https://user:pass@hooks.example.com/hook", event_types = new[] { "*" } }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        credentials.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("code").GetString()).ShouldBe(["invalid_url"]);
        var badFilter = await (await client.PostAsJsonAsync("/api/v1/hooks", new
            {
                target_url = target, event_types = new[] { "entity.updated" }, filter = new[] { new { path = "data.changed_fields", op = "includes", value = "status" } },
            }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "invalid_filter");
        badFilter.GetProperty("message").GetString()!.ShouldContain("filter[0].op");
        await (await client.PostAsJsonAsync("/api/v1/hooks", new { target_url = target, event_types = new[] { "*" }, secret = "mine" }))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        var nullCondition = await client.PostAsync("/api/v1/hooks", new StringContent(
            $$"""{"target_url": "{{target}}", "event_types": ["*"], "filter": [null]}""", Encoding.UTF8, "application/json"));
        (await nullCondition.ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "invalid_filter")).GetProperty("message").GetString()!.ShouldContain("filter[0]");
        await (await client.GetAsync($"/api/v1/hooks/{Guid.NewGuid()}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "hook_not_found");

        (await (await client.GetAsync("/api/v1/hooks")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
        (await _system.ScalarAsync<long>("select count(*) from webhook_endpoints where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);
    }

    [Fact]
    public async Task Samples_are_the_tenants_latest_events_of_the_type_newest_first_else_the_catalog_sample_with_a_stable_id()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var client = tenant.Client;

        var first = await (await client.GetAsync("/api/v1/hooks/samples?event_type=user.joined")).ShouldBeJsonAsync(HttpStatusCode.OK);
        var catalogSample = first.EnumerateArray().ShouldHaveSingleItem();
        catalogSample.GetProperty("event_type").GetString().ShouldBe("user.joined");
        JsonElement.DeepEquals(catalogSample.GetProperty("data"), JsonDocument.Parse(EventTypeCatalog.Find("user.joined")!.Sample).RootElement).ShouldBeTrue();
        var again = await (await client.GetAsync("/api/v1/hooks/samples?event_type=user.joined")).ShouldBeJsonAsync(HttpStatusCode.OK);
        again[0].GetProperty("id").GetGuid().ShouldBe(catalogSample.GetProperty("id").GetGuid(), "the catalog sample's id is stable");

        var older = await client.PublishAsync("user.joined", new { user_id = "usr_1" });
        var newer = await client.PublishAsync("user.joined", new { user_id = "usr_2" });
        await client.PublishAsync();
        var stranger = await _system.CreateTenantWithKeyAsync();
        await stranger.Client.PublishAsync("user.joined", new { user_id = "usr_other" });

        JsonElement samples = default;
        await Eventually.HoldsAsync(async () =>
        {
            samples = await (await client.GetAsync("/api/v1/hooks/samples?event_type=user.joined")).ShouldBeJsonAsync(HttpStatusCode.OK);
            return samples.GetArrayLength() == 2;
        }, Soon, "the tenant's two user.joined events are its samples");
        samples.EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ShouldBe([newer, older], "newest first");
        samples[0].GetProperty("data").GetProperty("user_id").GetString().ShouldBe("usr_2");
        samples[0].GetProperty("event_type").GetString().ShouldBe("user.joined");

        (await (await stranger.Client.GetAsync("/api/v1/hooks/samples?event_type=invoice.paid")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .EnumerateArray().ShouldHaveSingleItem().GetProperty("id").GetGuid().ShouldNotBe(newer);

        var unknown = await (await client.GetAsync("/api/v1/hooks/samples?event_type=entity.exploded")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        unknown.GetProperty("details").EnumerateArray().Single().GetProperty("code").GetString().ShouldBe("unknown_event_type");
        await (await client.GetAsync("/api/v1/hooks/samples")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await client.GetAsync("/api/v1/hooks/samples?event_type=user.joined&limit=5")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [Fact]
    public async Task An_OAuth_token_reads_hooks_with_webhooks_read_and_subscribes_only_with_webhooks_write()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var oauth = new OAuth.OAuthHarness(_system);
        var app = await oauth.RegisterAppAsync(tenant, scopes: ["webhooks:read", "webhooks:write"]);
        var member = await oauth.CreateMemberAsync(tenant);
        async Task<HttpClient> TokenAsync(string scope)
        {
            var verifier = OAuth.OAuthHarness.Verifier();
            var token = await oauth.ExchangeAsync(app, await oauth.AuthorizeAsync(app, member, OAuth.OAuthHarness.Challenge(verifier), scope), verifier);
            return _system.Client(token.AccessToken);
        }
        var subscription = new { target_url = _sink.Url(_sink.NewPath("zap")), event_types = new[] { "entity.created" } };

        var reader = await TokenAsync("webhooks:read");
        (await reader.GetAsync("/api/v1/hooks")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await reader.GetAsync("/api/v1/hooks/samples?event_type=entity.created")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var refused = await reader.PostAsJsonAsync("/api/v1/hooks", subscription);
        refused.Headers.WwwAuthenticate.ToString().ShouldContain("scope=\"webhooks:write\"");
        await refused.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");

        var writer = await TokenAsync("webhooks:read webhooks:write");
        var created = await (await writer.PostAsJsonAsync("/api/v1/hooks", subscription)).ShouldBeJsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        await (await reader.DeleteAsync($"/api/v1/hooks/{id}")).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        (await writer.DeleteAsync($"/api/v1/hooks/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task With_verify_the_target_must_echo_the_X_Hook_Secret_which_then_signs_its_deliveries()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var client = tenant.Client;
        var echoing = _sink.NewPath("zap");
        _sink.Respond(echoing, (request, _) => Task.FromResult(new SinkResponse(200, "ok",
            new Dictionary<string, string> { ["X-Hook-Secret"] = request.Headers.GetValueOrDefault("x-hook-secret", "") })));

        var response = await client.PostAsJsonAsync("/api/v1/hooks", new { target_url = _sink.Url(echoing), event_types = new[] { "invoice.paid" }, verify = true });
        var created = await response.ShouldBeJsonAsync(HttpStatusCode.Created);
        created.GetProperty("verified").GetBoolean().ShouldBeTrue();
        var secret = created.GetProperty("secret").GetString()!;
        var handshake = _sink.Received(echoing).ShouldHaveSingleItem();
        handshake.Headers["x-hook-secret"].ShouldBe(secret, "the handshake hands the target the hook's signing secret");
        Encoding.UTF8.GetString(handshake.Body).ShouldBe("{}");

        var eventId = await client.PublishAsync();
        var delivery = (await _sink.WaitForAsync(echoing, 2, Soon))[1];
        delivery.Json.GetProperty("id").GetGuid().ShouldBe(eventId);
        (await StandardWebhooksVerifier.VerifyAsync(delivery, secret)).ShouldBe("verified");

        var plain = await (await client.PostAsJsonAsync("/api/v1/hooks", new { target_url = _sink.Url(_sink.NewPath("zap")), event_types = new[] { "*" } }))
            .ShouldBeJsonAsync(HttpStatusCode.Created);
        plain.GetProperty("verified").GetBoolean().ShouldBeFalse("no handshake unless asked for");
    }

    [Fact]
    public async Task A_target_that_does_not_confirm_the_handshake_is_refused_and_nothing_is_stored()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var client = tenant.Client;
        var silent = _sink.NewPath("zap");
        var wrong = _sink.NewPath("zap");
        var failing = _sink.NewPath("zap");
        _sink.Respond(wrong, (_, _) => Task.FromResult(new SinkResponse(200, "ok", new Dictionary<string, string> { ["X-Hook-Secret"] = "whsec_guessed" })));
        _sink.Respond(failing, 500);

        foreach (var (path, says) in new[] { (silent, "no X-Hook-Secret header"), (wrong, "not the one sent"), (failing, "answered 500") })
        {
            var error = await (await client.PostAsJsonAsync("/api/v1/hooks", new { target_url = _sink.Url(path), event_types = new[] { "*" }, verify = true }))
                .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "hook_handshake_failed");
            error.GetProperty("message").GetString()!.ShouldContain(says);
            _sink.Received(path).ShouldHaveSingleItem("one handshake request");
        }
        var refusedFilter = await (await client.PostAsJsonAsync("/api/v1/hooks", new
            {
                target_url = _sink.Url(silent), event_types = new[] { "*" }, verify = true, filter = new[] { new { path = "data.x", op = "bogus", value = 1 } },
            }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "invalid_filter");
        refusedFilter.ShouldNotBe(default);
        _sink.Received(silent).Count.ShouldBe(1, "a bad filter is refused before anything is sent");
        (await _system.ScalarAsync<long>("select count(*) from webhook_endpoints where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);
    }
}
