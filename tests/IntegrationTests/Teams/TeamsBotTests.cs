using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connectors;
using DeliveryApi = Integrations.IntegrationTests.Webhooks.Delivery.DeliveryApi;
using Shouldly;

namespace Integrations.IntegrationTests.Teams;

/// <summary>
/// The microsoft-teams provider (the tenant's bot) through real processes: client credentials at the
/// fake's Entra token endpoint with the Bot Connector's scope, the bot's app id as the account, and
/// an event posted to a channel as an activity carrying the Adaptive Card.
/// </summary>
[Collection(TeamsCollection.Name)]
public sealed class TeamsBotTests(TeamsSystem system) : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => system.ResetTeamsAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Connecting_gets_a_bot_connector_token_and_stores_the_bots_app_id_as_the_account()
    {
        var tenant = await system.TenantAsync();

        var id = await system.ConnectBotAsync(tenant.Client);

        var connection = await Connections.ConnectionsSystem.GetAsync(tenant.Client, id);
        connection.GetProperty("status").GetString().ShouldBe("connected");
        connection.GetProperty("auth_kind").GetString().ShouldBe("oauth2_client_credentials");
        connection.GetProperty("account").GetProperty("id").GetString().ShouldBe(TeamsSystem.BotAppId);
        connection.GetRawText().ShouldNotContain(TeamsSystem.BotSecret);
        var token = (await system.TeamsControl.GetFromJsonAsync<JsonElement>("/_fake/requests?path_prefix=/botframework.com/oauth2/v2.0/token"))
            .GetProperty("data").EnumerateArray().ShouldHaveSingleItem();
        var form = token.GetProperty("body").GetString()!;
        form.ShouldContain("grant_type=client_credentials");
        form.ShouldContain("scope=" + Uri.EscapeDataString("https://api.botframework.com/.default"));
    }

    [Fact]
    public async Task A_secret_entra_refuses_creates_nothing()
    {
        var tenant = await system.TenantAsync();

        var response = await system.CreateConnectionAsync(tenant.Client, new { provider = "microsoft-teams", credentials = new { client_id = TeamsSystem.BotAppId, client_secret = "wrong" } });

        var error = await response.ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        error.GetProperty("details").EnumerateArray().ShouldContain(d => d.GetProperty("code").GetString() == "credentials_refused");
        (await (await tenant.Client.GetAsync("/api/v1/connections")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task An_event_is_posted_by_the_bot_to_the_channel_as_an_activity_with_the_card()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectBotAsync(tenant.Client);
        await TeamsSystem.RouteAsync(tenant.Client, id, "teams.bot_card", new { conversation_id = TeamsSystem.General, open_url = "https://app.example.com/i/{{ data.invoice_id }}" });

        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice("in_bot", 990));

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the activity was posted");
        var activity = (await system.CardsAtAsync(TeamsSystem.General)).ShouldHaveSingleItem().GetProperty("body");
        activity.GetProperty("type").GetString().ShouldBe("message");
        var card = activity.GetProperty("attachments")[0].GetProperty("content");
        card.GetProperty("version").GetString().ShouldBe("1.5");
        card.GetProperty("actions")[0].GetProperty("url").GetString().ShouldBe("https://app.example.com/i/in_bot");
        var attempt = (await ConnectorsSystem.CallAsync(tenant.Client, id, calls[0].Id())).Attempts().ShouldHaveSingleItem();
        attempt.GetProperty("status_code").GetInt32().ShouldBe(201);
        attempt.GetProperty("request").GetProperty("url").GetString()
            .ShouldBe(new Uri(system.Teams.BaseAddress, "/v3/conversations/" + Uri.EscapeDataString(TeamsSystem.General) + "/activities").ToString());
    }

    [Fact]
    public async Task A_post_goes_to_the_regional_service_url_the_channels_installation_came_from()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectBotAsync(tenant.Client);
        var emea = new Uri(system.Teams.BaseAddress, "/emea/").ToString();
        var token = await system.ActivityTokenAsync(new { audience = TeamsSystem.BotAppId, service_url = emea });
        (await system.SendActivityAsync(token, system.ConversationUpdate(serviceUrl: emea))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await TeamsSystem.RouteAsync(tenant.Client, id, "teams.bot_card", new { conversation_id = TeamsSystem.General });

        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice("in_emea", 5));

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the activity was posted");
        (await system.CardsAtAsync(TeamsSystem.General)).ShouldHaveSingleItem().GetProperty("region").GetString()
            .ShouldBe("emea", "not the configured Bot Connector base");
        var attempt = (await ConnectorsSystem.CallAsync(tenant.Client, id, calls[0].Id())).Attempts().ShouldHaveSingleItem();
        attempt.GetProperty("request").GetProperty("url").GetString().ShouldBe(emea + "v3/conversations/" + Uri.EscapeDataString(TeamsSystem.General) + "/activities");
    }

    [Fact]
    public async Task A_channel_the_bot_is_not_in_is_a_dead_letter()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectBotAsync(tenant.Client);
        await TeamsSystem.RouteAsync(tenant.Client, id, "teams.bot_card", new { conversation_id = "19:elsewhere@thread.tacv2" });

        await DeliveryApi.PublishAsync(tenant.Client, data: ConnectorsSystem.Invoice("in_lost", 1));

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() != "pending", Soon, "the call ended");
        calls[0].Status().ShouldBe("failed");
        var attempt = (await ConnectorsSystem.CallAsync(tenant.Client, id, calls[0].Id())).Attempts().ShouldHaveSingleItem();
        attempt.GetProperty("status_code").GetInt32().ShouldBe(404);
        attempt.GetProperty("response_body_excerpt").GetString()!.ShouldContain("ConversationNotFound");
    }
}
