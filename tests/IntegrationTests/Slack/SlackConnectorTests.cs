using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connectors;
using Integrations.IntegrationTests.Infrastructure;
using DeliveryApi = Integrations.IntegrationTests.Webhooks.Delivery.DeliveryApi;
using Microsoft.AspNetCore.WebUtilities;
using Shouldly;

namespace Integrations.IntegrationTests.Slack;

/// <summary>
/// The Slack connector through real processes: the OAuth v2 round trip against the Slack fake, events
/// through slack.message routes to chat.postMessage as Block Kit, Slack's ok:false errors (retried or
/// dead-lettered by code), its per-channel 429s with Retry-After, and single-use refresh tokens
/// rotated on every use by the API and the Workers at once.
/// </summary>
[Collection(SlackCollection.Name)]
public sealed class SlackConnectorTests(SlackSystem system) : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => system.ResetSlackAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Connecting_asks_slack_for_the_bot_scopes_and_stores_the_workspace_as_the_account()
    {
        var tenant = await system.TenantAsync();

        var (connection, connectUrl) = await system.ConnectSlackAsync(tenant.Client, "T0002");

        var query = QueryHelpers.ParseQuery(new Uri(connectUrl).Query);
        connectUrl.ShouldStartWith(new Uri(system.Slack.BaseAddress, "/oauth/v2/authorize?").ToString());
        query["client_id"].ToString().ShouldBe(SlackSystem.SlackClientId);
        query["scope"].ToString().ShouldBe("chat:write,channels:read,commands");
        connection.GetProperty("status").GetString().ShouldBe("connected");
        connection.GetProperty("account").GetProperty("id").GetString().ShouldBe("T0002", "the account is auth.test's team_id");
        connection.GetProperty("account").GetProperty("name").GetString().ShouldBe("Globex");
        var token = (await system.Slack.CreateClient().GetFromJsonAsync<JsonElement>("/_fake/requests?path_prefix=/api/oauth.v2.access"))
            .GetProperty("data").EnumerateArray().ShouldHaveSingleItem();
        token.GetProperty("headers").GetProperty("authorization").GetString()!.ShouldStartWith("Basic ", Case.Sensitive, "Slack asks for HTTP Basic client authentication");
    }

    [Fact]
    public async Task An_event_arrives_in_the_channel_as_the_default_block_kit_message_with_its_fields_and_an_open_in_app_button()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectSlackAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        await SlackSystem.SlackRouteAsync(tenant.Client, id, new { channel = SlackSystem.AcmeGeneral, open_url = "https://app.example.com/invoices/{{ data.invoice_id }}" });

        await DeliveryApi.PublishAsync(tenant.Client, data: new { invoice_id = "in 7/1", amount_cents = 4200, currency = "EUR", customer = new { id = "cus_1" } });

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the message was posted");
        var message = (await system.MessagesAsync(SlackSystem.AcmeGeneral)).ShouldHaveSingleItem();
        message.GetProperty("team_id").GetString().ShouldBe(SlackSystem.Acme);
        message.GetProperty("text").GetString().ShouldBe("Invoice paid");
        var blocks = message.GetProperty("blocks").EnumerateArray().ToList();
        blocks[0].GetProperty("type").GetString().ShouldBe("header");
        blocks[0].GetProperty("text").GetProperty("text").GetString().ShouldBe("Invoice paid");
        var fields = blocks[1].GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("text").GetString()).ToList();
        fields.ShouldBe(["*Invoice id*\nin 7/1", "*Amount cents*\n4200", "*Currency*\nEUR"], "top-level values only, in the data's order");
        var button = blocks.Single(b => b.GetProperty("type").GetString() == "actions").GetProperty("elements")[0];
        button.GetProperty("url").GetString().ShouldBe("https://app.example.com/invoices/in%207%2F1", "values are percent-encoded into the URL");
        var attempt = (await ConnectorsSystem.CallAsync(tenant.Client, id, calls[0].Id())).Attempts().ShouldHaveSingleItem();
        attempt.GetProperty("request").GetProperty("url").GetString().ShouldBe(new Uri(system.Slack.BaseAddress, "/api/chat.postMessage").ToString());
        attempt.GetProperty("response_body_excerpt").GetString()!.ShouldContain("\"ok\":true");
    }

    [Fact]
    public async Task A_route_template_for_the_event_type_replaces_the_default_message()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectSlackAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        await SlackSystem.SlackRouteAsync(tenant.Client, id, new
        {
            channel = SlackSystem.AcmeSecond,
            messages = new Dictionary<string, object>
            {
                ["invoice.paid"] = new { text = "Paid: {{ data.invoice_id }}", blocks = new object[] { new { type = "section", text = new { type = "mrkdwn", text = "*{{ data.amount_cents }}* cents" } } } },
            },
        });

        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice("in_tpl", 990));

        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the message was posted");
        var message = (await system.MessagesAsync(SlackSystem.AcmeSecond)).ShouldHaveSingleItem();
        message.GetProperty("text").GetString().ShouldBe("Paid: in_tpl");
        message.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString().ShouldBe("*990* cents");
    }

    [Fact]
    public async Task Route_settings_slack_refuses_are_not_stored()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectSlackAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        var body = new
        {
            event_types = new[] { "invoice.paid" }, action = "slack.message", filter = Array.Empty<object>(),
            settings = new { channel = "#general", open_url = "https://{{ data.host }}/x", messages = new { x = new { blocks = "no" } }, colour = "red" },
        };

        var refused = await (await tenant.Client.PostAsJsonAsync($"/api/v1/connections/{id}/routes", body)).ShouldBeJsonAsync(HttpStatusCode.UnprocessableEntity);

        var fields = refused.GetProperty("error").GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()).ToList();
        fields.ShouldBe(["settings.colour", "settings.channel", "settings.open_url", "settings.messages.x"], ignoreOrder: true);
        (await (await tenant.Client.GetAsync($"/api/v1/connections/{id}/routes")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Ok_false_is_a_failure_dead_lettered_at_once_for_a_refused_request_and_retried_for_slacks_own_error()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectSlackAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        var missing = await SlackSystem.SlackRouteAsync(tenant.Client, id, new { channel = "CNOTTHERE1" });

        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice("in_lost", 1));

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() != "pending", Soon, "the call ended");
        calls[0].Status().ShouldBe("failed", "HTTP 200 with ok:false is not a success");
        var attempt = (await ConnectorsSystem.CallAsync(tenant.Client, id, calls[0].Id())).Attempts().ShouldHaveSingleItem("channel_not_found is not retried");
        attempt.GetProperty("status_code").GetInt32().ShouldBe(200);
        attempt.GetProperty("error_kind").GetString().ShouldBe("provider_error");
        attempt.GetProperty("succeeded").GetBoolean().ShouldBeFalse();
        attempt.GetProperty("response_body_excerpt").GetString()!.ShouldContain("channel_not_found");

        (await tenant.Client.DeleteAsync($"/api/v1/connections/{id}/routes/{missing}")).EnsureSuccessStatusCode();
        await SlackSystem.SlackRouteAsync(tenant.Client, id, new { channel = SlackSystem.AcmeGeneral });
        await system.QueueSlackErrorAsync("chat.postMessage", "internal_error");

        var retried = await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice("in_retried", 2));

        var all = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Any(x => x.EventId() == retried && x.Status() == "succeeded"), Soon, "the retry succeeded");
        var detail = await ConnectorsSystem.CallAsync(tenant.Client, id, all.Single(x => x.EventId() == retried).Id());
        // The retry comes sooner than the channel's next slot (a second after the first attempt), so it waits for it.
        detail.Attempts().Select(ErrorKind)
            .ShouldBe(["provider_busy", "quota_wait", null]);
        (await system.MessagesAsync(SlackSystem.AcmeGeneral)).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Messages_to_one_channel_are_paced_a_second_apart_across_workers_processes_without_meeting_slacks_limit()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectSlackAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        await SlackSystem.SlackRouteAsync(tenant.Client, id, new { channel = SlackSystem.AcmeGeneral });
        await using var secondWorkers = await WorkerProcess.StartAsync(system);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice($"in_burst_{i}", i))));

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 4 && c.All(x => x.Status() == "succeeded"), Soon, "all four were posted");
        var messages = await system.MessagesAsync(SlackSystem.AcmeGeneral);
        messages.Count.ShouldBe(4);
        var times = messages.Select(m => m.GetProperty("received_at").GetDateTimeOffset()).Order().ToList();
        for (var i = 1; i < times.Count; i++)
            (times[i] - times[i - 1]).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1), "one message a second per channel, whichever process sends it");
        var kinds = new List<string?>();
        foreach (var call in calls)
            kinds.AddRange((await ConnectorsSystem.CallAsync(tenant.Client, id, call.Id())).Attempts().Select(ErrorKind));
        kinds.ShouldContain("quota_wait", "the channel's pace held calls back");
        kinds.Where(k => k is not null).ShouldAllBe(k => k == "quota_wait", "Slack never had to answer 429");
    }

    [Fact]
    public async Task A_429_from_slack_is_waited_out_for_its_retry_after()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectSlackAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        await SlackSystem.SlackRouteAsync(tenant.Client, id, new { channel = SlackSystem.AcmeSecond });
        (await system.SlackControl.PostAsJsonAsync("/_fake/faults", new
        {
            path_prefix = "/api/chat.postMessage", count = 1, status = 429, headers = new Dictionary<string, string> { ["Retry-After"] = "2" },
            body = """{"ok":false,"error":"ratelimited"}""", content_type = "application/json",
        })).EnsureSuccessStatusCode();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice("in_limited", 1));

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "posted after the wait");
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2), "Retry-After: 2");
        (await ConnectorsSystem.CallAsync(tenant.Client, id, calls[0].Id())).Attempts().Select(ErrorKind).ShouldBe(["rate_limited", null]);
        (await system.MessagesAsync(SlackSystem.AcmeSecond)).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Single_use_refresh_tokens_rotate_on_every_use_by_the_api_and_two_workers_hosts_without_losing_the_connection()
    {
        // Slack's per-channel limit is left out here (its own test above).
        await system.SlackSettingsAsync(new { token_rotation = true, channel_interval = "00:00:00" });
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectSlackAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        await SlackSystem.SlackRouteAsync(tenant.Client, id, new { channel = SlackSystem.AcmeGeneral }, ["*"]);
        await using var secondWorkers = await WorkerProcess.StartAsync(system);

        // Two Workers hosts send while the API tests the connection: all refresh the same single-use token chain.
        await ConnectorsSystem.PublishWhileTestingAsync(tenant.Client, id, 4);

        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 4 && c.All(x => x.Status() == "succeeded"), Soon, "every message was posted");
        (await system.MessagesAsync(SlackSystem.AcmeGeneral)).Count.ShouldBe(4);
        var counters = await system.TokenCountersAsync();
        counters.GetProperty("refused_refreshes").GetInt32().ShouldBe(0, "no refresh token was ever used twice");
        counters.GetProperty("refreshes").GetInt32().ShouldBeGreaterThanOrEqualTo(2);
        var after = await Connections.ConnectionsSystem.GetAsync(tenant.Client, id);
        after.GetProperty("status").GetString().ShouldBe("connected");
        (await Connections.ConnectionsSystem.AuditAsync(tenant.Client, id)).Count(e => e.GetProperty("action").GetString() == "token_refreshed").ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task A_refresh_token_slack_no_longer_accepts_puts_the_connection_in_needs_reauth()
    {
        await system.SlackSettingsAsync(new { token_rotation = true });
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectSlackAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        (await system.SlackControl.PostAsync($"/_fake/slack/teams/{SlackSystem.Acme}/uninstall", null)).EnsureSuccessStatusCode();

        await ConnectorsSystem.TestConnectionAsync(tenant.Client, id);

        var after = await Connections.ConnectionsSystem.GetAsync(tenant.Client, id);
        after.GetProperty("status").GetString().ShouldBe("needs_reauth", "Slack answered 200 {ok:false, error:invalid_refresh_token}: refused for good, not a passing failure");
        (await Connections.ConnectionsSystem.AuditAsync(tenant.Client, id)).ShouldContain(e => e.GetProperty("action").GetString() == "token_refresh_failed"
            && e.GetProperty("details").GetProperty("error").GetString() == "invalid_refresh_token");
    }

    private static string? ErrorKind(JsonElement attempt) =>
        attempt.GetProperty("error_kind").ValueKind == JsonValueKind.Null ? null : attempt.GetProperty("error_kind").GetString();
}
