using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks;

public class EndpointManagementTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task Creating_returns_the_endpoint_with_a_secret_shown_only_then_and_on_reveal()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var response = await tenant.Client.PostAsJsonAsync(EndpointApi.Path, new
        {
            url = "https://hooks.example.com/billing", event_types = new[] { "invoice.paid", "invoice.failed", "invoice.paid" }, description = "Billing sync",
        });

        var created = await response.ShouldBeJsonAsync(HttpStatusCode.Created);
        var id = created.Id();
        response.Headers.Location!.ToString().ShouldBe($"{EndpointApi.Path}/{id}");
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        created.GetProperty("url").GetString().ShouldBe("https://hooks.example.com/billing");
        created.GetProperty("event_types").EnumerateArray().Select(t => t.GetString()).ShouldBe(["invoice.failed", "invoice.paid"]);
        created.GetProperty("description").GetString().ShouldBe("Billing sync");
        created.GetProperty("rate_limit_per_minute").GetInt32().ShouldBe(100);
        created.GetProperty("status").GetString().ShouldBe("enabled");
        created.GetProperty("disabled_reason").ValueKind.ShouldBe(JsonValueKind.Null);
        created.GetProperty("created_at").GetDateTimeOffset().ShouldBe(created.GetProperty("updated_at").GetDateTimeOffset());
        var secret = created.GetProperty("secret").GetString()!;
        secret.ShouldStartWith("whsec_");
        Convert.FromBase64String(secret["whsec_".Length..]).Length.ShouldBe(32);

        var read = await tenant.Client.GetEndpointAsync(id);
        read.TryGetProperty("secret", out _).ShouldBeFalse();
        foreach (var field in new[] { "id", "url", "event_types", "description", "rate_limit_per_minute", "status", "disabled_reason", "created_at", "updated_at" })
            read.GetProperty(field).GetRawText().ShouldBe(created.GetProperty(field).GetRawText(), field);
        (await tenant.Client.GetStringAsync(EndpointApi.Path)).ShouldNotContain(secret["whsec_".Length..]);

        var revealed = await tenant.Client.PostAsync($"{EndpointApi.Path}/{id}/reveal-secret", null);
        (await revealed.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("secret").GetString().ShouldBe(secret);
        revealed.Headers.CacheControl!.NoStore.ShouldBeTrue();

        await ShouldNotBeStoredInPlaintextAsync(secret);
        (await system.ScalarAsync<string>("select secrets->0->>'protected' from webhook_endpoints where id = @id", ("id", id))).ShouldStartWith("v1.");
        (await system.ScalarAsync<string>("select data->>'protected_secret' from marten.mt_events where stream_id = @s and version = 1",
            ("s", $"webhook_endpoint-{id:N}"))).ShouldStartWith("v1.");
    }

    [Fact]
    public async Task A_repeated_idempotency_key_replays_the_creation_with_its_secret_which_rests_encrypted()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var key = "endpoint-" + Guid.NewGuid();
        HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, EndpointApi.Path)
            {
                Content = JsonContent.Create(new { url = "https://hooks.example.com/idem", event_types = new[] { "*" } }),
            };
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }

        var first = await (await tenant.Client.SendAsync(Request())).ShouldBeJsonAsync(HttpStatusCode.Created);
        var again = await (await tenant.Client.SendAsync(Request())).ShouldBeJsonAsync(HttpStatusCode.Created);

        again.Id().ShouldBe(first.Id());
        again.GetProperty("secret").GetString().ShouldBe(first.GetProperty("secret").GetString());
        (await system.ScalarAsync<long>("select count(*) from webhook_endpoints where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(1);
        (await system.ScalarAsync<string>("select response_json from idempotency_keys where key = @k", ("k", key))).ShouldStartWith("v1.");
        await ShouldNotBeStoredInPlaintextAsync(first.GetProperty("secret").GetString()!);
    }

    [Fact]
    public async Task The_list_is_newest_first_paginated_and_filterable_by_status()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++) ids.Add((await tenant.Client.CreateEndpointAsync("user.joined")).Id());
        await tenant.Client.PostActionAsync(ids[1], "disable");
        await tenant.Client.PostActionAsync(ids[3], "disable");
        ids.Reverse();

        var seen = new List<Guid>();
        string? cursor = null;
        JsonElement page;
        do
        {
            page = await (await tenant.Client.GetAsync($"{EndpointApi.Path}?limit=2" + (cursor is null ? "" : "&cursor=" + cursor))).ShouldBeJsonAsync(HttpStatusCode.OK);
            page.GetProperty("data").GetArrayLength().ShouldBeLessThanOrEqualTo(2);
            seen.AddRange(page.GetProperty("data").EnumerateArray().Select(e => e.Id()));
            cursor = page.GetProperty("next_cursor").GetString();
        } while (page.GetProperty("has_more").GetBoolean());
        seen.ShouldBe(ids);

        var back = await (await tenant.Client.GetAsync($"{EndpointApi.Path}?limit=2&cursor=" + page.GetProperty("previous_cursor").GetString()))
            .ShouldBeJsonAsync(HttpStatusCode.OK);
        back.GetProperty("data").EnumerateArray().Select(e => e.Id()).ShouldBe(ids.Skip(2).Take(2));

        var disabled = await (await tenant.Client.GetAsync($"{EndpointApi.Path}?status=disabled")).ShouldBeJsonAsync(HttpStatusCode.OK);
        disabled.GetProperty("data").EnumerateArray().Select(e => e.Id()).ShouldBe([ids[1], ids[3]]);
        var all = await (await tenant.Client.GetAsync(EndpointApi.Path)).ShouldBeJsonAsync(HttpStatusCode.OK);
        all.GetProperty("data").GetArrayLength().ShouldBe(5);
        all.GetProperty("has_more").GetBoolean().ShouldBeFalse();

        (await (await tenant.Client.GetAsync($"{EndpointApi.Path}?status=paused")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed"))
            .Fields().ShouldContain("status");
        (await (await tenant.Client.GetAsync($"{EndpointApi.Path}?limit=101")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed"))
            .Fields().ShouldContain("limit");
        (await (await tenant.Client.GetAsync($"{EndpointApi.Path}?cursor=bm9wZQ")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed"))
            .Fields().ShouldContain("cursor");
    }

    [Fact]
    public async Task A_patch_merges_and_null_removes_only_the_description()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var created = await tenant.Client.CreateEndpointAsync(new { url = "https://hooks.example.com/v1", event_types = new[] { "invoice.paid" }, description = "First" });
        var id = created.Id();

        var patched = await (await tenant.Client.PatchEndpointAsync(id, """{"url": "https://hooks.example.com/v2", "rate_limit_per_minute": 250}"""))
            .ShouldBeJsonAsync(HttpStatusCode.OK);
        patched.GetProperty("url").GetString().ShouldBe("https://hooks.example.com/v2");
        patched.GetProperty("rate_limit_per_minute").GetInt32().ShouldBe(250);
        patched.GetProperty("event_types").EnumerateArray().Select(t => t.GetString()).ShouldBe(["invoice.paid"]);
        patched.GetProperty("description").GetString().ShouldBe("First");
        patched.GetProperty("updated_at").GetDateTimeOffset().ShouldBeGreaterThan(created.GetProperty("updated_at").GetDateTimeOffset());

        var retyped = await (await tenant.Client.PatchEndpointAsync(id, """{"event_types": ["user.joined", "user.removed"], "description": null}"""))
            .ShouldBeJsonAsync(HttpStatusCode.OK);
        retyped.GetProperty("event_types").EnumerateArray().Select(t => t.GetString()).ShouldBe(["user.joined", "user.removed"]);
        retyped.GetProperty("description").ValueKind.ShouldBe(JsonValueKind.Null);

        var unchanged = await (await tenant.Client.PatchEndpointAsync(id, "{}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        unchanged.GetProperty("updated_at").GetDateTimeOffset().ShouldBe(retyped.GetProperty("updated_at").GetDateTimeOffset());
        (await tenant.Client.GetEndpointAsync(id)).GetProperty("url").GetString().ShouldBe("https://hooks.example.com/v2");
    }

    [Theory]
    [InlineData("""{"url": "ftp://hooks.example.com/"}""", "url", "invalid_url")]
    [InlineData("""{"url": "https://user:pw@hooks.example.com/"}""", "url", "invalid_url")]
    [InlineData("""{"event_types": []}""", "event_types", "required")]
    [InlineData("""{"event_types": ["invoice.refunded"]}""", "event_types", "unknown_event_type")]
    [InlineData("""{"rate_limit_per_minute": 0}""", "rate_limit_per_minute", "out_of_range")]
    [InlineData("""{"description": 42}""", "description", "invalid_type")]
    public async Task An_invalid_patch_is_422_naming_the_field_and_changes_nothing(string patch, string field, string code)
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var id = (await tenant.Client.CreateEndpointAsync("invoice.paid")).Id();
        var before = await tenant.Client.GetEndpointAsync(id);

        var error = await (await tenant.Client.PatchEndpointAsync(id, patch)).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        error.GetProperty("details").EnumerateArray().ShouldContain(d => d.GetProperty("field").GetString() == field && d.GetProperty("code").GetString() == code);
        (await tenant.Client.GetEndpointAsync(id)).GetRawText().ShouldBe(before.GetRawText());
    }

    [Fact]
    public async Task Unknown_fields_are_refused_in_creation_and_patch()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var id = (await tenant.Client.CreateEndpointAsync("invoice.paid")).Id();

        await (await tenant.Client.PatchEndpointAsync(id, """{"status": "disabled"}""")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        await (await tenant.Client.PostAsync(EndpointApi.Path, new StringContent("""{"url": "https://hooks.example.com/", "event_types": ["*"], "secret": "mine"}""",
            System.Text.Encoding.UTF8, "application/json"))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
    }

    [Theory]
    [InlineData("""{"event_types": ["*"]}""", "url", "required")]
    [InlineData("""{"url": "", "event_types": ["*"]}""", "url", "required")]
    [InlineData("""{"url": "hooks.example.com/x", "event_types": ["*"]}""", "url", "invalid_url")]
    [InlineData("""{"url": "https://hooks.example.com/"}""", "event_types", "required")]
    [InlineData("""{"url": "https://hooks.example.com/", "event_types": ["invoice.paid", "nope.nope"]}""", "event_types", "unknown_event_type")]
    [InlineData("""{"url": "https://hooks.example.com/", "event_types": ["*"], "rate_limit_per_minute": 60001}""", "rate_limit_per_minute", "out_of_range")]
    public async Task Invalid_creations_are_422_naming_the_field_and_store_nothing(string body, string field, string code)
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var error = await (await tenant.Client.PostAsync(EndpointApi.Path, new StringContent(body, System.Text.Encoding.UTF8, "application/json")))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        error.GetProperty("details").EnumerateArray().ShouldContain(d => d.GetProperty("field").GetString() == field && d.GetProperty("code").GetString() == code);
        (await system.ScalarAsync<long>("select count(*) from marten.mt_events where tenant_id = @t::text and stream_id like 'webhook\\_endpoint-%'", ("t", tenant.TenantId))).ShouldBe(0);
    }

    [Fact]
    public async Task A_description_longer_than_500_characters_is_refused()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        (await (await tenant.Client.PostAsJsonAsync(EndpointApi.Path, new { url = "https://hooks.example.com/", event_types = new[] { "*" }, description = new string('d', 501) }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).Fields().ShouldContain("description");
    }

    [Fact]
    public async Task Disabling_by_hand_says_why_tells_the_tenant_once_and_enabling_clears_it()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var created = await tenant.Client.CreateEndpointAsync(new { url = "https://hooks.example.com/manual", event_types = new[] { "invoice.paid" } });
        var id = created.Id();

        var disabled = await tenant.Client.PostActionAsync(id, "disable");
        disabled.GetProperty("status").GetString().ShouldBe("disabled");
        disabled.GetProperty("disabled_reason").GetString().ShouldBe("manual");
        disabled.GetProperty("disabled_message").GetString().ShouldNotBeNullOrWhiteSpace();
        var disabledAt = disabled.GetProperty("disabled_at").GetDateTimeOffset();
        (await tenant.Client.PostActionAsync(id, "disable")).GetProperty("disabled_at").GetDateTimeOffset().ShouldBe(disabledAt, "disabling twice changes nothing");

        var events = await (await tenant.Client.GetAsync("/api/v1/events?event_type=webhook_endpoint.disabled")).ShouldBeJsonAsync(HttpStatusCode.OK);
        var data = events.GetProperty("data").EnumerateArray().ShouldHaveSingleItem().GetProperty("data");
        data.GetProperty("endpoint_id").GetGuid().ShouldBe(id);
        data.GetProperty("url").GetString().ShouldBe("https://hooks.example.com/manual");
        data.GetProperty("reason").GetString().ShouldBe("manual");
        data.GetProperty("disabled_at").GetDateTimeOffset().ShouldBe(disabledAt);

        var enabled = await tenant.Client.PostActionAsync(id, "enable");
        enabled.GetProperty("status").GetString().ShouldBe("enabled");
        enabled.GetProperty("disabled_reason").ValueKind.ShouldBe(JsonValueKind.Null);
        enabled.GetProperty("disabled_message").ValueKind.ShouldBe(JsonValueKind.Null);
        enabled.GetProperty("disabled_at").ValueKind.ShouldBe(JsonValueKind.Null);
        (await tenant.Client.PostActionAsync(id, "enable")).GetProperty("status").GetString().ShouldBe("enabled");
    }

    [Fact]
    public async Task Rotating_the_secret_keeps_the_previous_one_signing_for_the_overlap()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var created = await tenant.Client.CreateEndpointAsync("invoice.paid");
        var id = created.Id();
        var first = created.GetProperty("secret").GetString()!;

        var before = DateTimeOffset.UtcNow;
        var response = await tenant.Client.PostAsync($"{EndpointApi.Path}/{id}/rotate-secret", null);
        var rotated = await response.ShouldBeJsonAsync(HttpStatusCode.OK);
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();

        var second = rotated.GetProperty("secret").GetString()!;
        second.ShouldStartWith("whsec_");
        second.ShouldNotBe(first);
        var expires = rotated.GetProperty("previous_secret_expires_at").GetDateTimeOffset();
        expires.ShouldBeInRange(before.AddHours(24).AddSeconds(-5), DateTimeOffset.UtcNow.AddHours(24).AddSeconds(5));
        (await tenant.Client.PostActionAsync(id, "reveal-secret")).GetProperty("secret").GetString().ShouldBe(second);

        await using var scope = system.Api.Services.CreateAsyncScope();
        var target = (await scope.ServiceProvider.GetRequiredService<IWebhookEndpointReadModel>().FindTargetAsync(tenant.TenantId, id, CancellationToken.None))!;
        var protector = scope.ServiceProvider.GetRequiredService<ISecretProtector>();
        target.Secrets.Select(s => (protector.Unprotect(s.ProtectedSecret), s.ExpiresAt)).ShouldBe([(second, (DateTimeOffset?)null), (first, expires)]);
        target.SigningSecrets(DateTimeOffset.UtcNow).Count().ShouldBe(2);
        target.SigningSecrets(expires).Select(s => protector.Unprotect(s.ProtectedSecret)).ShouldBe([second]);
        await ShouldNotBeStoredInPlaintextAsync(first);
        await ShouldNotBeStoredInPlaintextAsync(second);
    }

    [Fact]
    public async Task A_deleted_endpoint_is_not_found_afterwards_and_leaves_the_subscriptions()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var id = (await tenant.Client.CreateEndpointAsync("invoice.paid")).Id();

        (await tenant.Client.DeleteAsync($"{EndpointApi.Path}/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        await (await tenant.Client.GetAsync($"{EndpointApi.Path}/{id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "webhook_endpoint_not_found");
        await (await tenant.Client.DeleteAsync($"{EndpointApi.Path}/{id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "webhook_endpoint_not_found");
        await (await tenant.Client.PostAsync($"{EndpointApi.Path}/{id}/enable", null)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "webhook_endpoint_not_found");
        await (await tenant.Client.PostAsync($"{EndpointApi.Path}/{id}/reveal-secret", null)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "webhook_endpoint_not_found");
        (await (await tenant.Client.GetAsync(EndpointApi.Path)).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);

        await using var scope = system.Api.Services.CreateAsyncScope();
        (await scope.ServiceProvider.GetRequiredService<IWebhookEndpointReadModel>().ListSubscribedAsync(tenant.TenantId, "invoice.paid", CancellationToken.None))
            .ShouldBeEmpty();
    }

    [Fact]
    public async Task Another_tenants_endpoint_does_not_exist_for_every_operation()
    {
        var a = await system.CreateTenantWithKeyAsync();
        var b = await system.CreateTenantWithKeyAsync();
        var id = (await a.Client.CreateEndpointAsync("invoice.paid")).Id();
        var path = $"{EndpointApi.Path}/{id}";

        await (await b.Client.GetAsync(path)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "webhook_endpoint_not_found");
        await (await b.Client.PatchEndpointAsync(id, """{"url": "https://evil.example.com/"}""")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "webhook_endpoint_not_found");
        await (await b.Client.DeleteAsync(path)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "webhook_endpoint_not_found");
        foreach (var action in new[] { "enable", "disable", "rotate-secret", "reveal-secret" })
            await (await b.Client.PostAsync($"{path}/{action}", null)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "webhook_endpoint_not_found");
        (await (await b.Client.GetAsync(EndpointApi.Path)).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
        await (await b.Client.GetAsync($"{EndpointApi.Path}?tenant_id={a.TenantId}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");
        await (await b.Client.PostAsJsonAsync(EndpointApi.Path, new { url = "https://hooks.example.com/", event_types = new[] { "*" }, tenant_id = a.TenantId }))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");

        var untouched = await a.Client.GetEndpointAsync(id);
        untouched.GetProperty("status").GetString().ShouldBe("enabled");
        untouched.GetProperty("url").GetString().ShouldStartWith("https://hooks.example.com/");
    }

    [Fact]
    public async Task The_admin_acts_on_a_named_tenant_only()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        (await (await system.Admin.PostAsJsonAsync(EndpointApi.Path, new { url = "https://hooks.example.com/", event_types = new[] { "*" } }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).Fields().ShouldContain("tenant_id");
        await (await system.Admin.PostAsJsonAsync(EndpointApi.Path, new { url = "https://hooks.example.com/", event_types = new[] { "*" }, tenant_id = Guid.NewGuid() }))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");

        var created = await system.Admin.CreateEndpointAsync(new { url = "https://hooks.example.com/admin", event_types = new[] { "*" }, tenant_id = tenant.TenantId });
        (await tenant.Client.GetEndpointAsync(created.Id())).GetProperty("url").GetString().ShouldBe("https://hooks.example.com/admin");
        (await (await system.Admin.GetAsync($"{EndpointApi.Path}/{created.Id()}?tenant_id={tenant.TenantId}")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .Id().ShouldBe(created.Id());
    }

    [Fact]
    public async Task Anonymous_callers_are_refused()
    {
        await (await system.Client().GetAsync(EndpointApi.Path)).ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task The_fan_out_read_model_lists_enabled_endpoints_subscribed_to_the_type_or_to_everything()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var other = await system.CreateTenantWithKeyAsync();
        var paid = await tenant.Client.CreateEndpointAsync(new { url = "https://hooks.example.com/paid", event_types = new[] { "invoice.paid" }, rate_limit_per_minute = 30 });
        var everything = await tenant.Client.CreateEndpointAsync("*");
        await tenant.Client.CreateEndpointAsync("user.joined");
        var disabled = await tenant.Client.CreateEndpointAsync("invoice.paid");
        await tenant.Client.PostActionAsync(disabled.Id(), "disable");
        await other.Client.CreateEndpointAsync("invoice.paid");

        await using var scope = system.Api.Services.CreateAsyncScope();
        var targets = await scope.ServiceProvider.GetRequiredService<IWebhookEndpointReadModel>().ListSubscribedAsync(tenant.TenantId, "invoice.paid", CancellationToken.None);

        targets.Select(t => t.Id).ShouldBe([paid.Id(), everything.Id()]);
        targets.ShouldAllBe(t => t.TenantId == tenant.TenantId && t.IsEnabled);
        var first = targets[0];
        first.Url.ShouldBe("https://hooks.example.com/paid");
        first.RateLimitPerMinute.ShouldBe(30);
        scope.ServiceProvider.GetRequiredService<ISecretProtector>().Unprotect(first.Secrets.ShouldHaveSingleItem().ProtectedSecret)
            .ShouldBe(paid.GetProperty("secret").GetString());

        var disabledTarget = await scope.ServiceProvider.GetRequiredService<IWebhookEndpointReadModel>().FindTargetAsync(tenant.TenantId, disabled.Id(), CancellationToken.None);
        disabledTarget!.IsEnabled.ShouldBeFalse();
    }

    [Fact]
    public async Task The_projection_rebuilds_to_the_same_rows()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var id = (await tenant.Client.CreateEndpointAsync("invoice.paid")).Id();
        await tenant.Client.PatchEndpointAsync(id, """{"description": "rebuilt"}""");
        await tenant.Client.PostActionAsync(id, "rotate-secret");
        await tenant.Client.PostActionAsync(id, "disable");
        var deleted = (await tenant.Client.CreateEndpointAsync("user.joined")).Id();
        await tenant.Client.DeleteAsync($"{EndpointApi.Path}/{deleted}");
        const string snapshot = "select coalesce(string_agg(row_to_json(w)::text, '|' order by id), '') from webhook_endpoints w where tenant_id = @t";
        var before = await system.ScalarAsync<string>(snapshot, ("t", tenant.TenantId));

        (await system.Admin.PostAsync("/api/v1/admin/projections/webhook_endpoints/rebuild", null)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await system.ScalarAsync<string>(snapshot, ("t", tenant.TenantId))).ShouldBe(before);
        before.ShouldContain("rebuilt");
        before.ShouldNotContain(deleted.ToString());
    }

    /// <summary>The secret is nowhere at rest: not in the log, the projection, the outbox or the idempotency records.</summary>
    private async Task ShouldNotBeStoredInPlaintextAsync(string secret)
    {
        var key = secret["whsec_".Length..];
        foreach (var (table, column) in new[] { ("marten.mt_events", "data"), ("webhook_endpoints", "secrets"), ("outbox", "payload"), ("outbox", "bundle_payloads"), ("idempotency_keys", "response_json") })
            (await system.ScalarAsync<long>($"select count(*) from {table} where strpos({column}::text, @s) > 0", ("s", key))).ShouldBe(0, $"{table}.{column}");
        (await system.ScalarAsync<long>("select count(*) from webhook_endpoints w where strpos(row_to_json(w)::text, @s) > 0", ("s", key))).ShouldBe(0);
    }
}
