using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.Teams;

/// <summary>
/// Installing the bot in a team (the Bot Connector's conversationUpdate with the bot in membersAdded)
/// records the channel for the bot's connection; the route editor lists it, for its tenant only.
/// </summary>
[Collection(TeamsCollection.Name)]
public sealed class TeamsInstallationTests(TeamsSystem system) : IAsyncLifetime
{
    public Task InitializeAsync() => system.ResetTeamsAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_installation_records_the_channel_with_its_service_url_and_tenant_for_the_route_editor()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectBotAsync(tenant.Client);
        (await tenant.Client.GetFromJsonAsync<JsonElement>($"/api/v1/connections/{id}/teams/conversations")).GetProperty("data").GetArrayLength().ShouldBe(0);

        using var response = await system.SendActivityAsync(await system.ActivityTokenAsync(), system.ConversationUpdate());

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var listed = (await (await tenant.Client.GetAsync($"/api/v1/connections/{id}/teams/conversations")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().ShouldHaveSingleItem();
        listed.GetProperty("conversation_id").GetString().ShouldBe(TeamsSystem.General);
        listed.GetProperty("service_url").GetString().ShouldBe(system.ServiceUrl);
        listed.GetProperty("microsoft_tenant_id").GetString().ShouldBe("tenant-contoso");
        listed.GetProperty("team_id").GetString().ShouldBe("19:team@thread.tacv2");
    }

    [Fact]
    public async Task Removing_the_bot_from_the_team_forgets_its_channels()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectBotAsync(tenant.Client);
        (await system.SendActivityAsync(await system.ActivityTokenAsync(), system.ConversationUpdate())).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await tenant.Client.GetFromJsonAsync<JsonElement>($"/api/v1/connections/{id}/teams/conversations")).GetProperty("data").GetArrayLength().ShouldBe(1);

        using var response = await system.SendActivityAsync(await system.ActivityTokenAsync(), new
        {
            type = "conversationUpdate",
            id = "f:" + Guid.NewGuid().ToString("N"),
            channelId = "msteams",
            serviceUrl = system.ServiceUrl,
            from = new { id = "29:user" },
            recipient = new { id = "28:" + TeamsSystem.BotAppId },
            conversation = new { id = TeamsSystem.General, conversationType = "channel", tenantId = "tenant-contoso" },
            membersRemoved = new[] { new { id = "28:" + TeamsSystem.BotAppId } },
            channelData = new { tenant = new { id = "tenant-contoso" }, team = new { id = "19:team@thread.tacv2" }, eventType = "teamMemberRemoved" },
        });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await tenant.Client.GetFromJsonAsync<JsonElement>($"/api/v1/connections/{id}/teams/conversations")).GetProperty("data").GetArrayLength()
            .ShouldBe(0, "a route can no longer post to a team the bot left");
    }

    [Fact]
    public async Task A_refused_activity_records_nothing()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectBotAsync(tenant.Client);
        var forged = await system.ActivityTokenAsync(new { audience = TeamsSystem.BotAppId, service_url = system.ServiceUrl, flaw = "wrong_signature" });

        using var response = await system.SendActivityAsync(forged, system.ConversationUpdate());

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await tenant.Client.GetFromJsonAsync<JsonElement>($"/api/v1/connections/{id}/teams/conversations")).GetProperty("data").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Another_tenants_connection_is_not_found_and_a_workflows_connection_has_no_channels()
    {
        var owner = await system.TenantAsync();
        var other = await system.TenantAsync();
        var bot = await system.ConnectBotAsync(owner.Client);
        var workflow = await system.ConnectWorkflowAsync(owner.Client);

        await (await other.Client.GetAsync($"/api/v1/connections/{bot}/teams/conversations")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "connection_not_found");
        await (await owner.Client.GetAsync($"/api/v1/connections/{workflow}/teams/conversations")).ShouldBeErrorAsync(HttpStatusCode.Conflict, "not_a_teams_bot_connection");
    }
}
