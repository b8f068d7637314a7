using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connections;
using Shouldly;

namespace Integrations.IntegrationTests.Slack;

/// <summary>
/// The route editor's channel list (GET …/slack/channels) through the API and the Slack fake:
/// conversations.list followed across its cursor pages, archived channels left out, kept briefly,
/// and Slack's refusals as documented errors.
/// </summary>
[Collection(SlackCollection.Name)]
public sealed class SlackChannelTests(SlackSystem system) : IAsyncLifetime
{
    public Task InitializeAsync() => system.ResetSlackAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_channels_of_the_workspace_are_listed_by_name_across_slacks_cursor_pages_and_kept_briefly()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectSlackAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        for (var i = 0; i < 200; i++)
            (await system.SlackControl.PostAsJsonAsync("/_fake/slack/channels", new { id = $"CX{i:D5}", name = $"x-{i:D3}", team_id = SlackSystem.Acme })).EnsureSuccessStatusCode();
        (await system.SlackControl.PostAsJsonAsync("/_fake/slack/channels", new { id = "GSECRET01", name = "a-private", team_id = SlackSystem.Acme, is_private = true }))
            .EnsureSuccessStatusCode();
        (await system.SlackControl.PostAsJsonAsync("/_fake/slack/channels", new { id = "COLD00001", name = "a-old", team_id = SlackSystem.Acme, is_archived = true }))
            .EnsureSuccessStatusCode();

        var list = await (await tenant.Client.GetAsync($"/api/v1/connections/{id}/slack/channels")).ShouldBeJsonAsync(HttpStatusCode.OK);

        var channels = list.GetProperty("data").EnumerateArray().ToList();
        channels.Count.ShouldBe(203, "3 of the workspace and 200 added; not the private one (groups:read is not asked), the archived one nor Globex's");
        channels.Select(c => c.GetProperty("name").GetString()).ShouldBe(channels.Select(c => c.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        channels.ShouldNotContain(c => c.GetProperty("id").GetString() == "GSECRET01");
        channels.ShouldAllBe(c => !c.GetProperty("is_private").GetBoolean() && c.GetProperty("is_member").GetBoolean());
        list.GetProperty("truncated").GetBoolean().ShouldBeFalse();
        var pages = await SlackRequestsAsync("/api/conversations.list");
        pages.Count.ShouldBe(2, "200 a page: two pages for 203 channels");
        pages[1].GetProperty("query_string").GetString()!.ShouldContain("cursor=");
        pages[0].GetProperty("headers").GetProperty("authorization").GetString()!.ShouldStartWith("Bearer xoxb-");

        (await tenant.Client.GetAsync($"/api/v1/connections/{id}/slack/channels")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await SlackRequestsAsync("/api/conversations.list")).Count.ShouldBe(2, "a second listing within a minute is answered from the cache");
    }

    [Fact]
    public async Task Another_providers_connection_another_tenants_and_an_uninstalled_app_get_documented_errors()
    {
        var tenant = await system.TenantAsync();
        var other = await system.TenantAsync();
        var (connection, _) = await system.ConnectSlackAsync(tenant.Client);
        var id = connection.GetProperty("id").GetGuid();
        var generic = (await system.ConnectAsync(tenant.Client)).GetProperty("id").GetGuid();

        (await (await other.Client.GetAsync($"/api/v1/connections/{id}/slack/channels")).ShouldBeJsonAsync(HttpStatusCode.NotFound))
            .GetProperty("error").GetProperty("code").GetString().ShouldBe("connection_not_found");
        (await (await tenant.Client.GetAsync($"/api/v1/connections/{generic}/slack/channels")).ShouldBeJsonAsync(HttpStatusCode.Conflict))
            .GetProperty("error").GetProperty("code").GetString().ShouldBe("not_a_slack_connection");

        (await system.SlackControl.PostAsync($"/_fake/slack/teams/{SlackSystem.Acme}/uninstall", null)).EnsureSuccessStatusCode();
        var refused = await (await tenant.Client.GetAsync($"/api/v1/connections/{id}/slack/channels")).ShouldBeJsonAsync(HttpStatusCode.Conflict);
        refused.GetProperty("error").GetProperty("code").GetString().ShouldBe("connection_unusable", "token_revoked, and without token rotation there is nothing to renew");
    }

    private async Task<List<JsonElement>> SlackRequestsAsync(string path) =>
        (await system.SlackControl.GetFromJsonAsync<JsonElement>("/_fake/requests?path_prefix=" + path)).GetProperty("data").EnumerateArray().ToList();
}
