using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connectors;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Jira;

/// <summary>
/// The whole system (API, Workers, broker, PostgreSQL) with the connector runtime's short test
/// settings and the built-in <c>jira</c> provider pointed at the Jira fake as a process (sites Acme
/// and Globex by their cloud ids). The expiry buffer equals the fake's one-hour token lifetime, so
/// every use of a connection refreshes first: the rotating refresh tokens rotate on every call.
/// </summary>
public class JiraSystem : ConnectorsSystem
{
    public const string JiraClientId = "jira-app-client-id";
    public const string JiraClientSecret = "jira-app-secret-1c4e";
    public const string Acme = "8a7f6d2e-1111-4c3b-9e57-acme00000001";
    public const string Globex = "3b2c1d0e-2222-4a1b-8c46-globex000002";

    /// <summary>The Atlassian account's e-mail and API token the fake accepts as Basic on its site host (site Acme).</summary>
    public const string SiteEmail = "mia@acme.example";
    public const string SiteApiToken = "ATATT3xFfGF0-site-token-5c1e";

    public FakeProcess Jira { get; private set; } = null!;

    public HttpClient JiraControl { get; private set; } = null!;

    protected override IDictionary<string, string?> ExtraConfiguration
    {
        get
        {
            var settings = base.ExtraConfiguration;
            var jira = "Providers:jira:";
            ProviderAtFake(settings, "jira", Jira, "/", "/authorize?audience=api.atlassian.com&prompt=consent", "/oauth/token", JiraClientId, JiraClientSecret);
            settings[jira + "ExpiryBuffer"] = "01:00:00";
            // The tests that count calls at the fake register webhooks themselves, and a Workers host they start must not check the
            // registrations of other tests' connections (a refresh they would count): no registration sweep (JiraRegistrationSystem has one).
            settings["Connectors:Registrations:Enabled"] = "false";
            // The fake's one host stands in for *.atlassian.net sites (an exact origin, over http: tests only).
            settings[jira + "SiteHosts"] = $"*.atlassian.net,{Jira.BaseAddress.GetLeftPart(UriPartial.Authority)}";
            return settings;
        }
    }

    public override async Task InitializeAsync()
    {
        Jira = await FakeProcess.StartAsync("Jira", $"--Client:Id={JiraClientId}", $"--Client:Secret={JiraClientSecret}", $"--Accounts={Acme}=Acme,{Globex}=Globex",
            $"--Auth:Users={SiteEmail}:{SiteApiToken}={Acme}");
        JiraControl = Jira.CreateClient();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        JiraControl?.Dispose();
        if (Jira is not null) await Jira.DisposeAsync();
    }

    public async Task ResetJiraAsync() => (await JiraControl.PostAsync("/_fake/reset", null)).EnsureSuccessStatusCode();

    public async Task<List<JsonElement>> IssuesAsync(string? site = null)
    {
        var page = await JiraControl.GetFromJsonAsync<JsonElement>("/_fake/jira/issues" + (site is null ? "" : "?site=" + site));
        return page.GetProperty("data").EnumerateArray().ToList();
    }

    /// <summary>
    /// The fake's token endpoint: successful refreshes, and refreshes refused because their token had been used or replaced already
    /// (a lost rotation race). Refusals of tokens the fake never knew (other tests' connections, after a reset) are not counted.
    /// </summary>
    public async Task<(int Successes, int Reuses)> RefreshCountsAsync()
    {
        var stats = await JiraControl.GetFromJsonAsync<JsonElement>("/_fake/oauth/stats");
        var successes = stats.GetProperty("token_successes");
        return (successes.TryGetProperty("refresh_token", out var n) ? n.GetInt32() : 0, stats.GetProperty("refresh_reuses").GetInt32());
    }

    /// <summary>The tenant's product commands (the product bridge's log, first page).</summary>
    public static async Task<List<JsonElement>> CommandsAsync(TenantWithKey tenant) =>
        (await (await tenant.Client.GetAsync("/api/v1/product-commands")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray().ToList();

    /// <summary>The deliveries the fake's dynamic webhooks sent.</summary>
    public async Task<List<JsonElement>> SentAsync() =>
        (await JiraControl.GetFromJsonAsync<JsonElement>("/_fake/jira/webhooks/sent")).GetProperty("data").EnumerateArray().ToList();

    /// <summary>"Connect Jira": the connection, the browser at Atlassian's consent (approved for <paramref name="site"/>) and back at our callback.</summary>
    public Task<(JsonElement Connection, string ConnectUrl)> ConnectJiraAsync(HttpClient client, string site = Acme) =>
        ConnectThroughBrowserAsync(client, "jira", "Acme Jira", "site", site);

    /// <summary>The connection's dynamic webhook at the fake, pointing at its URL on our API.</summary>
    public async Task RegisterWebhookAsync(Guid tenantId, Guid connection) =>
        (await JiraControl.PostAsJsonAsync("/_fake/jira/webhooks", new
        {
            site = Acme, url = new Uri(BaseAddress, $"/inbound/jira/{tenantId}/{connection}").ToString(),
            events = new[] { "jira:issue_updated" }, jql_filter = "project = OPS",
        })).EnsureSuccessStatusCode();

    /// <summary>A delivery to the connection's webhook URL as Jira would send it (<paramref name="token"/>: its bearer JWT, if any).</summary>
    public async Task<HttpResponseMessage> PostWebhookAsync(Guid tenantId, Guid connection, string body, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/inbound/jira/{tenantId}/{connection}") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        if (token is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var anonymous = new HttpClient { BaseAddress = BaseAddress };
        return await anonymous.SendAsync(request);
    }

    /// <summary>An HS256 JWT under <paramref name="secret"/>, as Atlassian signs deliveries to OAuth apps.</summary>
    public static string WebhookToken(string secret, TimeSpan? expiresIn = null)
    {
        var header = Base64Url(System.Text.Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
        var exp = DateTimeOffset.UtcNow.Add(expiresIn ?? TimeSpan.FromMinutes(5)).ToUnixTimeSeconds();
        var claims = Base64Url(System.Text.Encoding.UTF8.GetBytes($"{{\"iss\":\"{JiraClientId}\",\"exp\":{exp}}}"));
        return $"{header}.{claims}.{Base64Url(System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.ASCII.GetBytes(header + "." + claims)))}";
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A jira.issue route of the connection; returns its id.</summary>
    public static async Task<Guid> IssueRouteAsync(HttpClient client, Guid connectionId, object settings, string[]? eventTypes = null)
    {
        var body = new { event_types = eventTypes ?? ["invoice.paid"], action = "jira.issue", settings, filter = Array.Empty<object>() };
        var route = await (await client.PostAsJsonAsync($"/api/v1/connections/{connectionId}/routes", body)).ShouldBeJsonAsync(HttpStatusCode.Created);
        return route.GetProperty("id").GetGuid();
    }
}

/// <summary>The Jira tests share one system and run one at a time (they count calls at the fake).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class JiraCollection : ICollectionFixture<JiraSystem>
{
    public const string Name = "Jira connector";
}
