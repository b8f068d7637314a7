using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connectors;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Slack;

/// <summary>
/// The whole system (API, Workers, broker, PostgreSQL) with the connector runtime's short test
/// settings and the built-in <c>slack</c> provider pointed at the Slack fake as a process (workspaces
/// T0001 Acme and T0002 Globex, three channels each, one message a second per channel). The expiry
/// buffer equals Slack's 12-hour token lifetime, so with token rotation on at the fake every use of a
/// connection refreshes first: rotation is exercised on every call.
/// </summary>
public sealed class SlackSystem : ConnectorsSystem
{
    public const string SlackClientId = "slack-app-id";
    public const string SlackClientSecret = "slack-app-secret-77d1";
    public const string Acme = "T0001";
    public const string AcmeGeneral = "CT00010001";
    public const string AcmeSecond = "CT00010002";
    public const string SigningSecret = "slack-signing-secret-5a0e9d";

    public FakeProcess Slack { get; private set; } = null!;

    public HttpClient SlackControl { get; private set; } = null!;

    protected override IDictionary<string, string?> ExtraConfiguration
    {
        get
        {
            var settings = base.ExtraConfiguration;
            var slack = "Providers:slack:";
            ProviderAtFake(settings, "slack", Slack, "/api", "/oauth/v2/authorize", "/api/oauth.v2.access", SlackClientId, SlackClientSecret);
            settings[slack + "RevokeUrl"] = new Uri(Slack.BaseAddress, "/api/auth.revoke").ToString();
            settings[slack + "ExpiryBuffer"] = "12:00:00";
            settings[slack + "Inbound:Verifier"] = "slack";
            settings[slack + "Inbound:AccountIdPath"] = "team_id";
            settings[slack + "Inbound:Secret"] = SigningSecret;
            settings[slack + "Commands:ResponseUrlPrefix"] = new Uri(Slack.BaseAddress, "/commands/").ToString();
            return settings;
        }
    }

    public override async Task InitializeAsync()
    {
        Slack = await FakeProcess.StartAsync("Slack", $"--Client:Id={SlackClientId}", $"--Client:Secret={SlackClientSecret}", "--Teams=T0001=Acme,T0002=Globex",
            "--Channels=3", "--ChannelInterval=00:00:01");
        SlackControl = Slack.CreateClient();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SlackControl?.Dispose();
        if (Slack is not null) await Slack.DisposeAsync();
    }

    public async Task ResetSlackAsync() => (await SlackControl.PostAsync("/_fake/reset", null)).EnsureSuccessStatusCode();

    public async Task SlackSettingsAsync(object settings) => (await SlackControl.PostAsJsonAsync("/_fake/slack/settings", settings)).EnsureSuccessStatusCode();

    public async Task QueueSlackErrorAsync(string method, string error, int count = 1) =>
        (await SlackControl.PostAsJsonAsync("/_fake/slack/errors", new { method, error, count })).EnsureSuccessStatusCode();

    public async Task<List<JsonElement>> MessagesAsync(string? channel = null)
    {
        var page = await SlackControl.GetFromJsonAsync<JsonElement>("/_fake/slack/messages" + (channel is null ? "" : "?channel=" + channel));
        return page.GetProperty("data").EnumerateArray().ToList();
    }

    public async Task<JsonElement> TokenCountersAsync() => await SlackControl.GetFromJsonAsync<JsonElement>("/_fake/slack/tokens");

    /// <summary>"Connect Slack": the connection, the browser at Slack's authorize page (approved for <paramref name="team"/>) and back at our callback.</summary>
    public Task<(JsonElement Connection, string ConnectUrl)> ConnectSlackAsync(HttpClient client, string team = Acme) =>
        ConnectThroughBrowserAsync(client, "slack", "Ops workspace", "team", team);

    /// <summary>POSTs a form as Slack does: X-Slack-Request-Timestamp and X-Slack-Signature v0= hex HMAC-SHA256 of v0:{timestamp}:{body}.</summary>
    public async Task<HttpResponseMessage> PostSignedAsync(string path, string body, string secret = SigningSecret, DateTimeOffset? timestamp = null,
        string contentType = "application/x-www-form-urlencoded")
    {
        var ts = (timestamp ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = "v0=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret),
            System.Text.Encoding.UTF8.GetBytes($"v0:{ts}:{body}")));
        using var client = new HttpClient { BaseAddress = BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, contentType),
        };
        request.Headers.Add("X-Slack-Request-Timestamp", ts);
        request.Headers.Add("X-Slack-Signature", signature);
        return await client.SendAsync(request);
    }

    /// <summary>A slack.message route of the connection; returns its id.</summary>
    public static async Task<Guid> SlackRouteAsync(HttpClient client, Guid connectionId, object settings, string[]? eventTypes = null)
    {
        var body = new { event_types = eventTypes ?? ["invoice.paid"], action = "slack.message", settings, filter = Array.Empty<object>() };
        var route = await (await client.PostAsJsonAsync($"/api/v1/connections/{connectionId}/routes", body)).ShouldBeJsonAsync(HttpStatusCode.Created);
        return route.GetProperty("id").GetGuid();
    }
}

/// <summary>The Slack tests share one system and run one at a time (they count calls and assert on timing).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SlackCollection : ICollectionFixture<SlackSystem>
{
    public const string Name = "Slack connector";
}
