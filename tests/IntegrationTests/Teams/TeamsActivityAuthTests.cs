using System.Net;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.Teams;

/// <summary>
/// The bot's messaging endpoint (<c>POST /inbound/microsoft-teams/messages</c>) accepts only what the
/// Bot Connector sends for a connected bot: a token signed (RS256) by a key of the JWKS its OpenID
/// metadata names — here the fake's — with Microsoft's issuer, the bot's app id as audience, within
/// its lifetime, the activity's serviceUrl on a Bot Connector host, and a key endorsed for the
/// activity's channel. Each forgery is refused with 401 and the failed check.
/// </summary>
[Collection(TeamsCollection.Name)]
public sealed class TeamsActivityAuthTests(TeamsSystem system) : IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        await system.ResetTeamsAsync();
        var tenant = await system.TenantAsync();
        await system.ConnectBotAsync(tenant.Client);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_activity_with_the_bot_connectors_token_is_accepted()
    {
        var token = await system.ActivityTokenAsync();

        using var response = await system.SendActivityAsync(token, system.ConversationUpdate());

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_activity_without_a_token_is_refused()
    {
        using var response = await system.SendActivityAsync(null, system.ConversationUpdate());

        await response.ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "missing_token");
        response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
    }

    [Theory]
    [InlineData("wrong_signature", "invalid_signature")]
    [InlineData("unknown_kid", "unknown_key")]
    [InlineData("alg_none", "unknown_key")]
    public async Task A_token_not_signed_by_a_published_key_is_refused(string flaw, string code)
    {
        var token = await system.ActivityTokenAsync(new { audience = TeamsSystem.BotAppId, service_url = system.ServiceUrl, flaw });

        using var response = await system.SendActivityAsync(token, system.ConversationUpdate());

        await response.ShouldBeErrorAsync(HttpStatusCode.Unauthorized, code);
    }

    [Fact]
    public async Task A_token_from_another_issuer_is_refused()
    {
        var token = await system.ActivityTokenAsync(new { audience = TeamsSystem.BotAppId, service_url = system.ServiceUrl, issuer = "https://sts.windows.net/attacker/" });

        using var response = await system.SendActivityAsync(token, system.ConversationUpdate());

        await response.ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "wrong_issuer");
    }

    [Fact]
    public async Task A_token_for_another_bot_is_refused()
    {
        var token = await system.ActivityTokenAsync(new { audience = "11111111-2222-3333-4444-555555555555", service_url = system.ServiceUrl });

        using var response = await system.SendActivityAsync(token, system.ConversationUpdate());

        await response.ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "wrong_audience");
    }

    [Fact]
    public async Task A_token_expired_beyond_the_five_minutes_of_skew_is_refused_and_one_within_them_accepted()
    {
        var expired = await system.ActivityTokenAsync(new { audience = TeamsSystem.BotAppId, service_url = system.ServiceUrl, expires_in_seconds = -360, not_before_in_seconds = -3600 });
        var withinSkew = await system.ActivityTokenAsync(new { audience = TeamsSystem.BotAppId, service_url = system.ServiceUrl, expires_in_seconds = -120, not_before_in_seconds = -3600 });

        using var refused = await system.SendActivityAsync(expired, system.ConversationUpdate());
        using var accepted = await system.SendActivityAsync(withinSkew, system.ConversationUpdate());

        await refused.ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "expired");
        accepted.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_token_whose_service_url_is_not_the_activitys_is_refused()
    {
        var token = await system.ActivityTokenAsync(new { audience = TeamsSystem.BotAppId, service_url = system.ServiceUrl });

        using var response = await system.SendActivityAsync(token, system.ConversationUpdate(serviceUrl: "https://attacker.example.com/teams/"));

        await response.ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "service_url_mismatch");
    }

    [Fact]
    public async Task A_token_signed_by_a_key_not_endorsed_for_teams_is_refused_for_a_teams_activity()
    {
        // The fake's JWKS lists this key with endorsements ["webchat"] only, as Microsoft's lists each key's channels.
        var token = await system.ActivityTokenAsync(new { audience = TeamsSystem.BotAppId, service_url = system.ServiceUrl, flaw = "not_endorsed" });

        using var teams = await system.SendActivityAsync(token, system.ConversationUpdate());
        using var webChat = await system.SendActivityAsync(token, system.ConversationUpdate(channelId: "webchat"));

        await teams.ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "channel_not_endorsed");
        webChat.StatusCode.ShouldBe(HttpStatusCode.OK, "the key's signature holds; only its channel is checked");
    }

    [Fact]
    public async Task A_signed_activity_whose_service_url_is_not_a_bot_connector_host_is_refused()
    {
        // Calls for a conversation go to its serviceUrl with the bot's token: a host off the allow-list would receive it.
        const string elsewhere = "https://attacker.example.com/teams/";
        var token = await system.ActivityTokenAsync(new { audience = TeamsSystem.BotAppId, service_url = elsewhere });

        using var response = await system.SendActivityAsync(token, system.ConversationUpdate(serviceUrl: elsewhere));

        await response.ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "service_url_not_allowed");
    }

    [Fact]
    public async Task A_body_that_is_not_an_activity_is_a_400_once_the_token_holds()
    {
        var token = await system.ActivityTokenAsync();

        using var response = await system.SendActivityAsync(token, new { serviceUrl = system.ServiceUrl });

        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_activity");
    }
}
