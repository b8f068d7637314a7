using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Integrations.Domain.Webhooks;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Inbound;

/// <summary>
/// Tenants' generic inbound sources through the real API, PostgreSQL, the broker and the Workers:
/// created with a verifier, their secret shown once and sealed at rest, their requests verified,
/// logged (refusals with their reason) and turned into the tenant's inbound.received events; and
/// nothing of one tenant's sources visible to another.
/// </summary>
public class InboundSourceTests(InboundSystem system) : IClassFixture<InboundSystem>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static readonly object HmacVerifier = new
    {
        kind = "hmac", header = "X-Signature", algorithm = "sha256", encoding = "hex", prefix = "sha256=", template = "{timestamp}.{body}",
        timestamp_header = "X-Timestamp", tolerance_seconds = 300,
    };

    private static async Task<JsonElement> CreateAsync(HttpClient client, object verifier, string? secret = null) =>
        await (await client.PostAsJsonAsync("/api/v1/inbound-sources", new { name = "Billing system", verifier, secret }))
            .ShouldBeJsonAsync(HttpStatusCode.Created);

    private static HttpRequestMessage HmacSigned(string path, string body, string secret, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Timestamp", timestamp);
        request.Headers.Add("X-Signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"))));
        return request;
    }

    private static async Task<List<JsonElement>> LogAsync(HttpClient client, Guid sourceId) =>
        (await (await client.GetAsync($"/api/v1/inbound-sources/{sourceId}/requests?limit=100")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().ToList();

    [Fact]
    public async Task An_hmac_source_verifies_logs_and_delivers_its_requests_as_the_tenants_events()
    {
        var tenant = await system.TenantAsync();
        var source = await CreateAsync(tenant.Client, HmacVerifier);
        var id = source.GetProperty("id").GetGuid();
        var secret = source.GetProperty("secret").GetString()!;
        var path = source.GetProperty("path").GetString()!;
        path.ShouldBe($"/inbound/sources/{id}");
        using var http = system.Anonymous();

        var accepted = await (await http.SendAsync(HmacSigned(path, """{"invoice":"in_1","status":"paid"}""", secret))).ShouldBeJsonAsync(HttpStatusCode.OK);
        var requestId = accepted.GetProperty("id").GetGuid();
        var refused = await (await http.SendAsync(HmacSigned(path, """{"invoice":"in_2"}""", secret + "x"))).ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "invalid_signature");
        refused.GetProperty("message").GetString()!.ShouldNotContain(secret);
        await (await http.SendAsync(HmacSigned(path, """{"invoice":"in_3"}""", secret, DateTimeOffset.UtcNow.AddMinutes(-10))))
            .ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "stale_timestamp");

        List<JsonElement> log = [];
        await Eventually.HoldsAsync(async () => (log = await LogAsync(tenant.Client, id)).Any(r => r.GetProperty("status").GetString() == "processed"),
            Patience, "the accepted request is processed");
        log.Count.ShouldBe(3);
        var processed = log.Single(r => r.GetProperty("id").GetGuid() == requestId);
        processed.GetProperty("verified").GetBoolean().ShouldBeTrue();
        processed.GetProperty("routed_tenant_id").GetGuid().ShouldBe(tenant.TenantId);
        var eventId = processed.GetProperty("event_ids").EnumerateArray().Single().GetGuid();
        log.Where(r => !r.GetProperty("verified").GetBoolean()).Select(r => r.GetProperty("rejection_reason").GetString()).Order()
            .ShouldBe(["invalid_signature", "stale_timestamp"]);

        var @event = await (await tenant.Client.GetAsync($"/api/v1/events/{eventId}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        @event.GetProperty("event_type").GetString().ShouldBe("inbound.received");
        @event.GetProperty("data").GetProperty("source_id").GetGuid().ShouldBe(id);
        @event.GetProperty("data").GetProperty("payload").GetProperty("invoice").GetString().ShouldBe("in_1");
    }

    [Fact]
    public async Task A_payload_the_event_store_cannot_hold_is_marked_failed_and_does_not_hold_up_the_next()
    {
        var tenant = await system.TenantAsync();
        var source = await CreateAsync(tenant.Client, HmacVerifier);
        var (path, secret, id) = (source.GetProperty("path").GetString()!, source.GetProperty("secret").GetString()!, source.GetProperty("id").GetGuid());
        using var http = system.Anonymous();
        // An escaped lone surrogate is JSON, but not text PostgreSQL (the event store) can hold.
        var poison = await (await http.SendAsync(HmacSigned(path, """{"text":"a\ud800b"}""", secret))).ShouldBeJsonAsync(HttpStatusCode.OK);
        var next = await (await http.SendAsync(HmacSigned(path, """{"text":"fine"}""", secret))).ShouldBeJsonAsync(HttpStatusCode.OK);

        List<JsonElement> log = [];
        await Eventually.HoldsAsync(async () => (log = await LogAsync(tenant.Client, id)).All(r => r.GetProperty("status").GetString() != "pending"),
            Patience, "both requests are done");
        var failed = log.Single(r => r.GetProperty("id").GetGuid() == poison.GetProperty("id").GetGuid());
        failed.GetProperty("status").GetString().ShouldBe("failed");
        failed.GetProperty("error").GetString().ShouldNotBeNullOrEmpty();
        log.Single(r => r.GetProperty("id").GetGuid() == next.GetProperty("id").GetGuid()).GetProperty("status").GetString().ShouldBe("processed");
    }

    [Fact]
    public async Task The_secret_is_shown_once_and_sealed_at_rest()
    {
        var tenant = await system.TenantAsync();
        var supplied = "billing-secret-" + Guid.NewGuid().ToString("N");
        var source = await CreateAsync(tenant.Client, HmacVerifier, supplied);
        source.GetProperty("secret").GetString().ShouldBe(supplied);
        var id = source.GetProperty("id").GetGuid();

        (await (await tenant.Client.GetAsync($"/api/v1/inbound-sources/{id}")).Content.ReadAsStringAsync()).ShouldNotContain(supplied);
        (await (await tenant.Client.GetAsync("/api/v1/inbound-sources")).Content.ReadAsStringAsync()).ShouldNotContain(supplied);
        (await system.CountAsync("select count(*) from inbound_source_secrets where source_id = @id", ("id", id))).ShouldBe(1);
        (await system.CountAsync("""
            select (select count(*) from inbound_source_secrets where position(convert_to(@s, 'UTF8') in ciphertext) > 0)
                 + (select count(*) from inbound_sources where verifier::text like '%' || @s || '%')
                 + (select count(*) from marten.mt_events where data::text like '%' || @s || '%')
            """, ("s", supplied))).ShouldBe(0);
    }

    [Fact]
    public async Task Standard_Webhooks_and_basic_auth_sources_verify_and_replays_are_stored_once()
    {
        var tenant = await system.TenantAsync();
        using var http = system.Anonymous();
        var standard = await CreateAsync(tenant.Client, new { kind = "standard_webhooks" });
        var secret = standard.GetProperty("secret").GetString()!;
        secret.ShouldStartWith("whsec_");
        var body = Encoding.UTF8.GetBytes("""{"type":"order.created"}""");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        HttpRequestMessage Signed()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, standard.GetProperty("path").GetString()) { Content = new ByteArrayContent(body) };
            request.Headers.Add("webhook-id", "msg_1");
            request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", WebhookSignature.Sign("msg_1", timestamp, body, WebhookSignature.SecretKey(secret)));
            return request;
        }
        (await (await http.SendAsync(Signed())).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("replayed").GetBoolean().ShouldBeFalse();
        (await (await http.SendAsync(Signed())).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("replayed").GetBoolean().ShouldBeTrue();
        (await LogAsync(tenant.Client, standard.GetProperty("id").GetGuid())).Count.ShouldBe(1);

        var basic = await CreateAsync(tenant.Client, new { kind = "basic", username = "mailjet" }, "a-long-enough-password");
        var basicPath = basic.GetProperty("path").GetString()!;
        using var good = new HttpRequestMessage(HttpMethod.Post, basicPath) { Content = new StringContent("""{"From":"a@example.com"}""", Encoding.UTF8, "application/json") };
        good.Headers.Authorization = InboundSystem.Basic("mailjet", "a-long-enough-password");
        var accepted = await (await http.SendAsync(good)).ShouldBeJsonAsync(HttpStatusCode.OK);
        // The Authorization header is a credential: never kept with the request.
        (await system.ScalarAsync<string>("select headers::text from inbound_requests where id = @id", ("id", accepted.GetProperty("id").GetGuid()))).ShouldBe("{}");
        using var bad = new HttpRequestMessage(HttpMethod.Post, basicPath) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        bad.Headers.Authorization = InboundSystem.Basic("mailjet", "wrong");
        await (await http.SendAsync(bad)).ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task Another_tenant_sees_nothing_of_a_source_and_a_deleted_source_stops_receiving()
    {
        var owner = await system.TenantAsync();
        var other = await system.TenantAsync();
        var source = await CreateAsync(owner.Client, new { kind = "standard_webhooks" });
        var id = source.GetProperty("id").GetGuid();

        await (await other.Client.GetAsync($"/api/v1/inbound-sources/{id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "inbound_source_not_found");
        await (await other.Client.GetAsync($"/api/v1/inbound-sources/{id}/requests")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "inbound_source_not_found");
        await (await other.Client.DeleteAsync($"/api/v1/inbound-sources/{id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "inbound_source_not_found");
        (await (await other.Client.GetAsync("/api/v1/inbound-sources")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);

        (await owner.Client.DeleteAsync($"/api/v1/inbound-sources/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await owner.Client.GetAsync($"/api/v1/inbound-sources/{id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "inbound_source_not_found");
        (await system.CountAsync("select count(*) from inbound_source_secrets where source_id = @id", ("id", id))).ShouldBe(0);
        using var http = system.Anonymous();
        await (await http.PostAsync(source.GetProperty("path").GetString(), new StringContent("{}", Encoding.UTF8, "application/json")))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "inbound_target_not_found");
    }

    [Theory]
    [InlineData("""{"name":"x","verifier":{"kind":"hmac","header":"X-Sig","algorithm":"md5","encoding":"hex","template":"{body}"}}""", "verifier.algorithm")]
    [InlineData("""{"name":"x","verifier":{"kind":"hmac","header":"X-Sig","algorithm":"sha256","encoding":"hex","template":"{timestamp}"}}""", "verifier.template")]
    [InlineData("""{"name":"x","verifier":{"kind":"hmac","header":"X Sig","algorithm":"sha256","encoding":"hex"}}""", "verifier.header")]
    [InlineData("""{"name":"x","verifier":{"kind":"rsa"}}""", "verifier.kind")]
    [InlineData("""{"name":"x","verifier":{"kind":"basic"}}""", "verifier.username")]
    [InlineData("""{"name":"x","verifier":{"kind":"standard_webhooks"},"secret":"not-a-whsec-secret-at-all"}""", "secret")]
    [InlineData("""{"verifier":{"kind":"standard_webhooks"}}""", "name")]
    public async Task An_unusable_source_is_refused_with_the_field_and_nothing_is_created(string body, string field)
    {
        var tenant = await system.TenantAsync();
        var error = await (await tenant.Client.PostAsync("/api/v1/inbound-sources", new StringContent(body, Encoding.UTF8, "application/json")))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        error.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()).ShouldContain(field);
        (await (await tenant.Client.GetAsync("/api/v1/inbound-sources")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task OAuth_apps_need_inbound_read_to_read_sources_and_inbound_write_to_create_or_delete_them()
    {
        var tenant = await system.TenantAsync();
        var oauth = new OAuth.OAuthHarness(system);
        string[] declared = ["inbound:read", "inbound:write", "events:read"];
        using var reader = system.Client(await oauth.ScopedTokenAsync(tenant, declared, "inbound:read"));
        using var writer = system.Client(await oauth.ScopedTokenAsync(tenant, declared, "inbound:read inbound:write"));
        using var stranger = system.Client(await oauth.ScopedTokenAsync(tenant, declared, "events:read"));

        await (await reader.PostAsJsonAsync("/api/v1/inbound-sources", new { name = "Billing system", verifier = HmacVerifier }))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        (await system.CountAsync("select count(*) from inbound_sources where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);
        var source = (await CreateAsync(writer, HmacVerifier)).GetProperty("id").GetGuid();

        (await reader.GetAsync("/api/v1/inbound-sources")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await LogAsync(reader, source)).ShouldBeEmpty();
        await (await stranger.GetAsync($"/api/v1/inbound-sources/{source}")).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await reader.DeleteAsync($"/api/v1/inbound-sources/{source}")).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        (await writer.DeleteAsync($"/api/v1/inbound-sources/{source}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    private static async Task<List<JsonElement>> SilenceNoticesAsync(HttpClient client, Guid sourceId) =>
        (await (await client.GetAsync("/api/v1/notifications?kind=inbound_source.silent&limit=100")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().Where(n => n.GetProperty("subject_id").GetGuid() == sourceId).ToList();

    [Fact]
    public async Task A_source_silent_longer_than_its_alert_tells_its_tenant_once_and_again_when_requests_arrive()
    {
        var tenant = await system.TenantAsync();
        var stranger = await system.TenantAsync();
        (await (await tenant.Client.PostAsJsonAsync("/api/v1/inbound-sources", new { name = "Billing", verifier = HmacVerifier, silence_alert_after_seconds = 299 }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).Fields().ShouldBe(["silence_alert_after_seconds"]);
        var created = await (await tenant.Client.PostAsJsonAsync("/api/v1/inbound-sources", new { name = "Billing", verifier = HmacVerifier, silence_alert_after_seconds = 300 }))
            .ShouldBeJsonAsync(HttpStatusCode.Created);
        var (id, secret) = (created.GetProperty("id").GetGuid(), created.GetProperty("secret").GetString()!);
        created.GetProperty("silence_alert_after_seconds").GetInt32().ShouldBe(300);

        // Freshly created, it is not silent yet: nothing is said.
        await Task.Delay(TimeSpan.FromSeconds(2));
        (await SilenceNoticesAsync(tenant.Client, id)).ShouldBeEmpty();

        // Ten minutes without a request (the alert counted from its setting): one notice, however often the watch looks.
        await system.ExecuteAsync("update inbound_sources set silence_alert_since = now() - interval '10 minutes' where id = @id", ("id", id));
        await Eventually.HoldsAsync(async () => (await SilenceNoticesAsync(tenant.Client, id)).Count == 1, Patience, "the silence notice");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var opened = (await SilenceNoticesAsync(tenant.Client, id)).Single();
        opened.GetProperty("notice").GetString().ShouldBe("opened");
        opened.GetProperty("summary").GetString()!.ShouldContain("Billing");
        (await SilenceNoticesAsync(stranger.Client, id)).ShouldBeEmpty();

        // A refused request does not end the silence; a verified one does.
        using var http = system.Anonymous();
        (await http.SendAsync(HmacSigned(created.GetProperty("path").GetString()!, """{"n":1}""", "another-secret-of-16"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await Task.Delay(TimeSpan.FromSeconds(2));
        (await SilenceNoticesAsync(tenant.Client, id)).Count.ShouldBe(1);
        (await http.SendAsync(HmacSigned(created.GetProperty("path").GetString()!, """{"n":2}""", secret))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.HoldsAsync(async () => (await SilenceNoticesAsync(tenant.Client, id)).Any(n => n.GetProperty("notice").GetString() == "resolved"),
            Patience, "the resolved notice");
        (await (await tenant.Client.GetAsync($"/api/v1/inbound-sources/{id}")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("last_received_at").ValueKind.ShouldBe(JsonValueKind.String);

        // Switched off with 0; out-of-range values and other tenants change nothing.
        await (await stranger.Client.PatchAsJsonAsync($"/api/v1/inbound-sources/{id}", new { silence_alert_after_seconds = 0 }))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "inbound_source_not_found");
        await (await tenant.Client.PatchAsJsonAsync($"/api/v1/inbound-sources/{id}", new { silence_alert_after_seconds = 60 }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        (await (await tenant.Client.GetAsync($"/api/v1/inbound-sources/{id}")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("silence_alert_after_seconds").GetInt32().ShouldBe(300);
        (await (await tenant.Client.PatchAsJsonAsync($"/api/v1/inbound-sources/{id}", new { silence_alert_after_seconds = 0 })).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("silence_alert_after_seconds").ValueKind.ShouldBe(JsonValueKind.Null);
    }
}
