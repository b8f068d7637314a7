using System.Net;
using System.Text;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Inbound;

/// <summary>
/// POST /inbound/{provider} through the real API, PostgreSQL, the broker and the Workers' relay and
/// inbound pipeline: verified, stored, acknowledged, and turned into inbound.received events of the
/// tenants holding a connection to the account the payload names; refused requests counted only.
/// </summary>
public class InboundReceiverTests(InboundSystem system) : IClassFixture<InboundSystem>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private async Task<(TenantWithKey Tenant, string Account, Guid ConnectionId)> ConnectedTenantAsync(string account)
    {
        var tenant = await system.TenantAsync();
        var connection = await system.ConnectAsync(tenant.Client, account);
        return (tenant, connection.GetProperty("account").GetProperty("id").GetString()!, connection.GetProperty("id").GetGuid());
    }

    private static async Task<List<JsonElement>> InboundEventsAsync(HttpClient client) =>
        (await (await client.GetAsync("/api/v1/events?event_type=inbound.received&limit=100")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().ToList();

    [Fact]
    public async Task A_signed_event_is_acknowledged_stored_raw_and_becomes_an_event_of_the_tenant_holding_the_account_only()
    {
        var (owner, account, connectionId) = await ConnectedTenantAsync("acme");
        var bystander = await system.TenantAsync();
        using var http = system.Anonymous();
        var eventId = "Ev" + Guid.NewGuid().ToString("N")[..10];
        var body = InboundSystem.SlackEvent(account, eventId);

        var answer = await (await http.SendAsync(InboundSystem.SlackRequest($"/inbound/{InboundSystem.Provider}", body))).ShouldBeJsonAsync(HttpStatusCode.OK);
        answer.GetProperty("received").GetBoolean().ShouldBeTrue();
        var requestId = answer.GetProperty("id").GetGuid();

        // Stored as received: the raw bytes, and only the headers the verifier read.
        (await system.ScalarAsync<byte[]>("select body from inbound_requests where id = @id", ("id", requestId))).ShouldBe(Encoding.UTF8.GetBytes(body));
        var headers = JsonDocument.Parse(await system.ScalarAsync<string>("select headers::text from inbound_requests where id = @id", ("id", requestId))).RootElement;
        headers.EnumerateObject().Select(p => p.Name).Order().ShouldBe(["x-slack-request-timestamp", "x-slack-signature"]);

        List<JsonElement> events = [];
        await Eventually.HoldsAsync(async () => (events = await InboundEventsAsync(owner.Client)).Count == 1, Patience, "the owner's inbound.received event");
        var full = await (await owner.Client.GetAsync($"/api/v1/events/{events[0].GetProperty("id").GetGuid()}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        var data = full.GetProperty("data");
        data.GetProperty("inbound_request_id").GetGuid().ShouldBe(requestId);
        data.GetProperty("provider").GetString().ShouldBe(InboundSystem.Provider);
        data.GetProperty("connection_id").GetGuid().ShouldBe(connectionId);
        data.GetProperty("account_id").GetString().ShouldBe(account);
        data.GetProperty("payload").GetProperty("event_id").GetString().ShouldBe(eventId);
        (await system.ScalarAsync<string>("select status from inbound_requests where id = @id", ("id", requestId))).ShouldBe("processed");

        (await InboundEventsAsync(bystander.Client)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_request_acknowledged_while_no_Workers_run_is_published_and_processed_once_they_are_back()
    {
        var (owner, account, _) = await ConnectedTenantAsync("acme");
        using var http = system.Anonymous();
        await system.StopWorkersAsync();
        Guid id;
        try
        {
            var answer = await (await http.SendAsync(InboundSystem.SlackRequest($"/inbound/{InboundSystem.Provider}", InboundSystem.SlackEvent(account, "EvDown"))))
                .ShouldBeJsonAsync(HttpStatusCode.OK);
            id = answer.GetProperty("id").GetGuid();
            (await system.ScalarAsync<string>("select status from inbound_requests where id = @id", ("id", id))).ShouldBe("pending");
        }
        finally
        {
            await system.StartWorkersAsync(new Dictionary<string, string?> { ["Workers:Pipelines"] = "outbox-relay,inbound" });
        }
        await Eventually.HoldsAsync(async () => (await InboundEventsAsync(owner.Client)).Count == 1, Patience, "the event once the Workers are back");

        // On the topic as documented: keyed by provider and account, the envelope with the raw body.
        var message = system.ReadTopic("integrations.inbound.v1", read => read.Any(m => m.Message.Value.Contains(id.ToString())), Patience)
            .First(m => m.Message.Value.Contains(id.ToString()));
        message.Message.Key.ShouldBe($"{InboundSystem.Provider}:{account}");
        var envelope = JsonDocument.Parse(message.Message.Value).RootElement;
        envelope.GetProperty("schema_version").GetInt32().ShouldBe(1);
        Encoding.UTF8.GetString(Convert.FromBase64String(envelope.GetProperty("body_base64").GetString()!)).ShouldContain("EvDown");
        Encoding.UTF8.GetString(message.Message.Headers.GetLastBytes("schema-version")).ShouldBe("1");
    }

    [Fact]
    public async Task A_replayed_request_is_acknowledged_but_stored_and_delivered_once()
    {
        var (owner, account, _) = await ConnectedTenantAsync("globex");
        using var http = system.Anonymous();
        var original = InboundSystem.SlackRequest($"/inbound/{InboundSystem.Provider}", InboundSystem.SlackEvent(account, "EvReplay" + Guid.NewGuid().ToString("N")[..6]));
        var replay = await InboundSystem.CopyAsync(original);

        (await (await http.SendAsync(original)).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("replayed").GetBoolean().ShouldBeFalse();
        (await (await http.SendAsync(replay)).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("replayed").GetBoolean().ShouldBeTrue();

        await Eventually.HoldsAsync(async () => (await InboundEventsAsync(owner.Client)).Count >= 1, Patience, "the event");
        (await InboundEventsAsync(owner.Client)).Count.ShouldBe(1);
        (await system.CountAsync("select count(*) from inbound_requests where external_account_id = @a", ("a", account))).ShouldBe(1);
    }

    [Fact]
    public async Task Finished_requests_past_retention_are_purged_while_pending_and_recent_ones_stay()
    {
        var (owner, account, _) = await ConnectedTenantAsync("retention-co");
        using var http = system.Anonymous();
        var ids = new List<Guid>();
        foreach (var n in new[] { "old", "new" })
        {
            var request = InboundSystem.SlackRequest($"/inbound/{InboundSystem.Provider}", InboundSystem.SlackEvent(account, $"EvRet{n}" + Guid.NewGuid().ToString("N")[..6]));
            ids.Add((await (await http.SendAsync(request)).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("id").GetGuid());
        }
        await Eventually.HoldsAsync(async () => (await InboundEventsAsync(owner.Client)).Count == 2, Patience, "both processed");
        var (expired, recent, waiting) = (ids[0], ids[1], Guid.CreateVersion7());
        // A request still waiting for the pipeline is kept however old (Inbound:Retention is 30 days by default).
        await system.ExecuteAsync("""
            insert into inbound_requests (id, received_at, provider, external_account_id, headers, body)
            values (@id, now() - interval '40 days', @provider, @account, '{}', '\x7b7d')
            """, ("id", waiting), ("provider", InboundSystem.Provider), ("account", account));
        await system.ExecuteAsync("update inbound_requests set received_at = now() - interval '31 days' where id = @id", ("id", expired));

        await Eventually.HoldsAsync(async () => await system.CountAsync("select count(*) from inbound_requests where id = @id", ("id", expired)) == 0,
            TimeSpan.FromSeconds(30), "the expired request purged");
        (await system.CountAsync("select count(*) from inbound_requests where id = any(@ids)", ("ids", new[] { recent, waiting }))).ShouldBe(2);
        // The events it became are the tenant's, not the log's: they stay.
        (await InboundEventsAsync(owner.Client)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task Tampered_unsigned_and_stale_requests_are_refused_in_the_error_format_counted_and_not_stored()
    {
        using var http = system.Anonymous();
        var team = "T" + Guid.NewGuid().ToString("N")[..8];
        var path = $"/inbound/{InboundSystem.Provider}";
        async Task<long> Counted(string reason) => await system.CountAsync(
            "select coalesce(sum(count), 0)::bigint from inbound_rejections where target = @t and reason = @r", ("t", "provider:" + InboundSystem.Provider), ("r", reason));
        var before = (Invalid: await Counted("invalid_signature"), Stale: await Counted("stale_timestamp"), Missing: await Counted("missing_signature"));

        var signed = InboundSystem.SlackRequest(path, InboundSystem.SlackEvent(team, "Ev1"));
        var tampered = await InboundSystem.CopyAsync(signed, InboundSystem.SlackEvent(team, "Ev1", "hello!"));
        await ShouldBeRefused(await http.SendAsync(tampered), "invalid_signature");
        await ShouldBeRefused(await http.SendAsync(InboundSystem.SlackRequest(path, InboundSystem.SlackEvent(team, "Ev2"), secret: "another-secret")), "invalid_signature");
        await ShouldBeRefused(await http.SendAsync(InboundSystem.SlackRequest(path, InboundSystem.SlackEvent(team, "Ev3"), DateTimeOffset.UtcNow.AddMinutes(-6))), "stale_timestamp");
        await ShouldBeRefused(await http.PostAsync(path, new StringContent(InboundSystem.SlackEvent(team, "Ev4"), Encoding.UTF8, "application/json")), "missing_signature");

        (await Counted("invalid_signature")).ShouldBe(before.Invalid + 2);
        (await Counted("stale_timestamp")).ShouldBe(before.Stale + 1);
        (await Counted("missing_signature")).ShouldBe(before.Missing + 1);
        (await system.CountAsync("select count(*) from inbound_requests where external_account_id = @a", ("a", team))).ShouldBe(0);

        // The operator reads the counters through the API; tenants cannot.
        var health = await (await system.Admin.GetAsync("/api/v1/admin/integration-health")).ShouldBeJsonAsync(HttpStatusCode.OK);
        var counted = health.GetProperty("inbound_rejections").EnumerateArray().Where(r => r.GetProperty("provider").GetString() == InboundSystem.Provider)
            .ToDictionary(r => r.GetProperty("reason").GetString()!, r => r.GetProperty("count").GetInt64());
        counted["invalid_signature"].ShouldBe(await Counted("invalid_signature"));
        counted["stale_timestamp"].ShouldBe(await Counted("stale_timestamp"));
        var tenant = await system.TenantAsync();
        (await tenant.Client.GetAsync("/api/v1/admin/integration-health")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    private static async Task ShouldBeRefused(HttpResponseMessage response, string code)
    {
        var error = await response.ShouldBeJsonAsync(HttpStatusCode.Unauthorized);
        error.GetProperty("error").GetProperty("code").GetString().ShouldBe(code);
        error.GetProperty("error").GetProperty("message").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task A_request_for_an_account_no_connection_holds_is_kept_as_unrouted()
    {
        using var http = system.Anonymous();
        var team = "T" + Guid.NewGuid().ToString("N")[..8];
        var answer = await (await http.SendAsync(InboundSystem.SlackRequest($"/inbound/{InboundSystem.Provider}", InboundSystem.SlackEvent(team, "EvU"))))
            .ShouldBeJsonAsync(HttpStatusCode.OK);
        var id = answer.GetProperty("id").GetGuid();
        await Eventually.HoldsAsync(async () => await system.ScalarAsync<string>("select status from inbound_requests where id = @id", ("id", id)) == "unrouted",
            Patience, "the request is processed as unrouted");
    }

    [Fact]
    public async Task A_signed_body_is_taken_as_sent_even_where_the_API_would_refuse_it_as_JSON()
    {
        using var http = system.Anonymous();
        // A key twice and a number beyond a double: the REST API refuses both; a provider's signed bytes are kept as they are.
        var body = """{"team_id":"T-dup","team_id":"T-dup","event_id":"EvDup","n":1e400}""";
        var answer = await (await http.SendAsync(InboundSystem.SlackRequest($"/inbound/{InboundSystem.Provider}", body))).ShouldBeJsonAsync(HttpStatusCode.OK);
        (await system.ScalarAsync<byte[]>("select body from inbound_requests where id = @id", ("id", answer.GetProperty("id").GetGuid())))
            .ShouldBe(Encoding.UTF8.GetBytes(body));
    }

    [Fact]
    public async Task Slack_url_verification_is_answered_with_its_challenge_once_verified()
    {
        using var http = system.Anonymous();
        var body = """{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}""";
        using var answer = await http.SendAsync(InboundSystem.SlackRequest($"/inbound/{InboundSystem.Provider}", body));
        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        answer.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        (await answer.Content.ReadAsStringAsync()).ShouldBe("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");

        await ShouldBeRefused(await http.PostAsync($"/inbound/{InboundSystem.Provider}", new StringContent(body, Encoding.UTF8, "application/json")), "missing_signature");
    }

    [Fact]
    public async Task Graph_validation_tokens_are_echoed_as_text_and_notifications_need_the_client_state()
    {
        using var http = system.Anonymous();
        using var validation = await http.PostAsync("/inbound/microsoft-teams?validationToken=Validation%3A%20Testing%20client%20application", null);
        validation.StatusCode.ShouldBe(HttpStatusCode.OK);
        validation.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        (await validation.Content.ReadAsStringAsync()).ShouldBe("Validation: Testing client application");

        var notification = """{"value":[{"subscriptionId":"sub-1","clientState":"CLIENT","changeType":"created","resource":"teams('t')/channels('c')/messages('m')","tenantId":"tid-1"}]}""";
        await ShouldBeRefused(await http.PostAsync("/inbound/microsoft-teams",
            new StringContent(notification.Replace("CLIENT", "wrong-state"), Encoding.UTF8, "application/json")), "invalid_signature");
        (await (await http.PostAsync("/inbound/microsoft-teams", new StringContent(notification.Replace("CLIENT", InboundSystem.GraphClientState), Encoding.UTF8, "application/json")))
            .ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("received").GetBoolean().ShouldBeTrue();
    }

    [Theory]
    [InlineData("/inbound/no-such-provider")]
    [InlineData("/inbound/http")]
    [InlineData("/inbound/sources/0193a5f2-6c1e-7a44-9b1d-3f0e8c2a7d51")]
    public async Task An_inbound_url_that_does_not_exist_is_a_404_in_the_error_format(string path)
    {
        using var http = system.Anonymous();
        var error = await (await http.PostAsync(path, new StringContent("{}", Encoding.UTF8, "application/json"))).ShouldBeJsonAsync(HttpStatusCode.NotFound);
        error.GetProperty("error").GetProperty("code").GetString().ShouldBe("inbound_target_not_found");
    }
}
