using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connectors;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Teams;

/// <summary>
/// The whole system with the connector runtime's short test settings and both Teams providers
/// pointed at the Teams fake as a process: <c>teams-workflows</c> allows the fake's origin beside
/// Microsoft's hosts; <c>microsoft-teams</c> gets its tokens from the fake's Entra endpoint, posts to
/// its Bot Connector and reads the activity keys from its OpenID metadata.
/// </summary>
public sealed class TeamsSystem : ConnectorsSystem
{
    public const string BotAppId = "00000000-0000-0000-0000-00000000b07a";
    public const string BotSecret = "bot-secret-4f2c";
    public const string Workflow = "wf0001";
    public const string WorkflowSig = "sig-9a8b7c";
    public const string General = "19:general0001@thread.tacv2";
    public const string TabKey = "teams-tab-signing-key-0123456789abcdef";

    public FakeProcess Teams { get; private set; } = null!;

    public HttpClient TeamsControl { get; private set; } = null!;

    /// <summary>The Workflows URL a tenant would paste (the fake's, in Logic Apps' shape).</summary>
    public string WorkflowUrl => new Uri(Teams.BaseAddress,
        $"/workflows/{Workflow}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={WorkflowSig}").ToString();

    public string ServiceUrl => Teams.BaseAddress.ToString();

    protected override IDictionary<string, string?> ExtraConfiguration
    {
        get
        {
            var settings = base.ExtraConfiguration;
            var origin = Teams.BaseAddress.GetLeftPart(UriPartial.Authority);
            settings["Providers:teams-workflows:AllowedHosts"] = $"*.logic.azure.com,*.powerplatform.com,{origin}";
            var bot = "Providers:microsoft-teams:";
            settings[bot + "ApiBaseUrl"] = Teams.BaseAddress.ToString();
            settings[bot + "TokenUrl"] = new Uri(Teams.BaseAddress, "/botframework.com/oauth2/v2.0/token").ToString();
            settings[bot + "Tab:SigningKey"] = TabKey;
            settings[bot + "OpenIdMetadataUrl"] = new Uri(Teams.BaseAddress, "/v1/.well-known/openidconfiguration").ToString();
            return settings;
        }
    }

    public override async Task InitializeAsync()
    {
        Teams = await FakeProcess.StartAsync("Teams", $"--Client:Id={BotAppId}", $"--Client:Secret={BotSecret}", "--OAuth:TokenPath=/botframework.com/oauth2/v2.0/token",
            "--OAuth:ClientAuthMethods=client_secret_post", "--OAuth:Scopes=https://api.botframework.com/.default", $"--Workflows={Workflow}={WorkflowSig}",
            $"--Conversations={General}");
        TeamsControl = Teams.CreateClient();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        TeamsControl?.Dispose();
        if (Teams is not null) await Teams.DisposeAsync();
    }

    public async Task ResetTeamsAsync() => (await TeamsControl.PostAsync("/_fake/reset", null)).EnsureSuccessStatusCode();

    public async Task<List<JsonElement>> CardsAtAsync(string target)
    {
        var page = await TeamsControl.GetFromJsonAsync<JsonElement>("/_fake/teams/received?target=" + Uri.EscapeDataString(target));
        return page.GetProperty("data").EnumerateArray().ToList();
    }

    public async Task FaultAsync(object fault) => (await TeamsControl.PostAsJsonAsync("/_fake/faults", fault)).EnsureSuccessStatusCode();

    public async Task<HttpResponseMessage> CreateConnectionAsync(HttpClient client, object body) => await client.PostAsJsonAsync("/api/v1/connections", body);

    public async Task<Guid> ConnectWorkflowAsync(HttpClient client)
    {
        var created = await (await CreateConnectionAsync(client, new { provider = "teams-workflows", display_name = "Ops channel", credentials = new { api_key = WorkflowUrl } }))
            .ShouldBeJsonAsync(HttpStatusCode.Created);
        return created.GetProperty("connection").GetProperty("id").GetGuid();
    }

    public async Task<Guid> ConnectBotAsync(HttpClient client)
    {
        var created = await (await CreateConnectionAsync(client, new { provider = "microsoft-teams", credentials = new { client_id = BotAppId, client_secret = BotSecret } }))
            .ShouldBeJsonAsync(HttpStatusCode.Created);
        return created.GetProperty("connection").GetProperty("id").GetGuid();
    }

    /// <summary>A route of the connection with a Teams action; returns its id.</summary>
    public static async Task<Guid> RouteAsync(HttpClient client, Guid connectionId, string action, object settings)
    {
        var body = new { event_types = new[] { "invoice.paid" }, action, settings, filter = Array.Empty<object>() };
        var route = await (await client.PostAsJsonAsync($"/api/v1/connections/{connectionId}/routes", body)).ShouldBeJsonAsync(HttpStatusCode.Created);
        return route.GetProperty("id").GetGuid();
    }

    /// <summary>A token minted by the fake as the Bot Connector would send it; <paramref name="token"/> overrides its fields (flaw, issuer, times).</summary>
    public async Task<string> ActivityTokenAsync(object? token = null)
    {
        var body = token ?? new { audience = BotAppId, service_url = ServiceUrl };
        var answer = await (await TeamsControl.PostAsJsonAsync("/_fake/teams/activity-token", body)).ShouldBeJsonAsync(HttpStatusCode.OK);
        return answer.GetProperty("token").GetString()!;
    }

    /// <summary>POSTs an activity to the bot's messaging endpoint as the Bot Connector does.</summary>
    public async Task<HttpResponseMessage> SendActivityAsync(string? token, object activity)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/inbound/microsoft-teams/messages") { Content = JsonContent.Create(activity) };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    public object ConversationUpdate(string? serviceUrl = null, string channelId = "msteams") => new
    {
        type = "conversationUpdate",
        id = "f:" + Guid.NewGuid().ToString("N"),
        channelId,
        serviceUrl = serviceUrl ?? ServiceUrl,
        from = new { id = "29:user" },
        recipient = new { id = "28:" + BotAppId },
        conversation = new { id = General, conversationType = "channel", tenantId = "tenant-contoso" },
        membersAdded = new[] { new { id = "28:" + BotAppId } },
        channelData = new { tenant = new { id = "tenant-contoso" }, team = new { id = "19:team@thread.tacv2" }, channel = new { id = General }, eventType = "teamMemberAdded" },
    };
}

/// <summary>The Teams tests share one system and run one at a time (they count what the fake received).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TeamsCollection : ICollectionFixture<TeamsSystem>
{
    public const string Name = "Teams connector";
}
