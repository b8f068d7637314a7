using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.Slack;

/// <summary>
/// Slack's uninstall events on its events URL through real processes: the workspace's connections
/// become disconnected (revoked) with one incident for the tenant; the events still reach the
/// inbound receiver, and its url_verification handshake still answers.
/// </summary>
[Collection(SlackCollection.Name)]
public sealed class SlackUninstallTests(SlackSystem system) : IAsyncLifetime
{
    public Task InitializeAsync() => system.ResetSlackAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task App_uninstalled_disconnects_the_workspaces_connection_once_and_tells_the_tenant()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectSlackAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        var body = JsonSerializer.Serialize(new
        {
            token = "legacy", team_id = SlackSystem.Acme, api_app_id = "A0FAKEAPP", type = "event_callback", event_id = "Ev0UNINSTALL1", event_time = 1733560000,
            @event = new { type = "app_uninstalled" },
        });

        using var first = await system.PostSignedAsync("/inbound/slack/events", body, contentType: "application/json");
        first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        (await first.Content.ReadAsStringAsync()).ShouldContain("\"received\":true");
        (await system.PostSignedAsync("/inbound/slack/events", body, contentType: "application/json")).StatusCode.ShouldBe(HttpStatusCode.OK, "Slack's retry");

        var after = await Connections.ConnectionsSystem.GetAsync(tenant.Client, id);
        after.GetProperty("status").GetString().ShouldBe("disconnected");
        after.GetProperty("disconnected_reason").GetString().ShouldBe("revoked");
        (await system.IncidentEventsAsync(tenant.TenantId, "connection.disconnected", id)).ShouldBe(["IncidentOpened"]);
    }

    [Fact]
    public async Task Deleting_the_connection_revokes_its_bot_token_with_auth_revoke_and_the_audit_log_says_so()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectSlackAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();

        (await tenant.Client.DeleteAsync($"/api/v1/connections/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await system.TokenCountersAsync()).GetProperty("revocations").GetInt32().ShouldBe(1);
        var revoke = (await system.Slack.CreateClient().GetFromJsonAsync<JsonElement>("/_fake/requests?path_prefix=/api/auth.revoke")).GetProperty("data").EnumerateArray().ShouldHaveSingleItem();
        var authorization = revoke.GetProperty("headers").GetProperty("authorization").GetString()!;
        authorization.ShouldStartWith("Bearer ", Case.Sensitive, "the bot token as bearer, not RFC 7009's form");
        authorization.ShouldContain("xoxb-");
        var deleted = (await Connections.ConnectionsSystem.AuditAsync(tenant.Client, id)).Last();
        deleted.GetProperty("details").GetProperty("revoked_at_provider").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Revoked_user_tokens_leave_the_bot_connected_and_the_handshake_still_answers()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectSlackAsync(tenant.Client);
        var body = JsonSerializer.Serialize(new
        {
            team_id = SlackSystem.Acme, type = "event_callback", event_id = "Ev0USERTOKENS", event_time = 1733560000,
            @event = new { type = "tokens_revoked", tokens = new { oauth = new[] { "U0USER" }, bot = Array.Empty<string>() } },
        });

        (await system.PostSignedAsync("/inbound/slack/events", body, contentType: "application/json")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Connections.ConnectionsSystem.GetAsync(tenant.Client, connection.GetProperty("id").GetGuid())).GetProperty("status").GetString().ShouldBe("connected");

        using var handshake = await system.PostSignedAsync("/inbound/slack/events", """{"token":"t","challenge":"c0ffee","type":"url_verification"}""", contentType: "application/json");
        (await handshake.Content.ReadAsStringAsync()).ShouldBe("c0ffee");
    }
}
