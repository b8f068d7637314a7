using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Shouldly;

namespace Integrations.IntegrationTests.Connections;

/// <summary>
/// The system with the generic OAuth 2.0 provider fake as a process, configured as the provider
/// <c>generic</c> (authorization code with PKCE, rotating refresh tokens, a revocation endpoint, the
/// health check GET /api/me naming the account). No Workers host unless a test starts one: the
/// sweeps would otherwise refresh and check on their own schedule while tests count calls.
/// </summary>
public class ConnectionsSystem : TestSystem
{
    public const string Provider = "generic";
    public const string ClientId = "platform-app";
    public const string ClientSecret = "platform-app-secret-4c1f";

    public OAuthProviderFake Fake { get; private set; } = null!;

    /// <summary>Every response body the system's API sent to the tests' clients, for the check that no credential is ever in one.</summary>
    public ConcurrentQueue<string> ResponseBodies { get; } = new();

    protected override bool StartWorkers => false;

    /// <summary>Settings the sweeps run with when a test starts a Workers host.</summary>
    protected virtual IDictionary<string, string?> ConnectionSettings => new Dictionary<string, string?>();

    protected override IDictionary<string, string?> ExtraConfiguration
    {
        get
        {
            var provider = $"Providers:{Provider}:";
            var settings = new Dictionary<string, string?>
            {
                [provider + "DisplayName"] = "Generic OAuth",
                [provider + "AuthKinds"] = "oauth2_code",
                [provider + "ApiBaseUrl"] = new Uri(Fake.BaseAddress, "/api").ToString(),
                [provider + "AuthorizeUrl"] = new Uri(Fake.BaseAddress, "/oauth/authorize").ToString(),
                [provider + "TokenUrl"] = new Uri(Fake.BaseAddress, "/oauth/token").ToString(),
                [provider + "RevokeUrl"] = new Uri(Fake.BaseAddress, "/oauth/revoke").ToString(),
                [provider + "Scopes"] = "profile",
                [provider + "Pkce"] = "true",
                [provider + "ClientAuthentication"] = "basic",
                [provider + "RefreshTokens"] = "rotating",
                [provider + "ClientId"] = ClientId,
                [provider + "ClientSecret"] = ClientSecret,
                [provider + "HealthCheck:Path"] = "/me",
                [provider + "HealthCheck:AccountIdPath"] = "data.id",
                [provider + "HealthCheck:AccountNamePath"] = "data.name",
            };
            foreach (var (key, value) in ConnectionSettings) settings[key] = value;
            return settings;
        }
    }

    public override async Task InitializeAsync()
    {
        Fake = await OAuthProviderFake.StartAsync($"--Client:Id={ClientId}", $"--Client:Secret={ClientSecret}", "--OAuth:Consent=Approve",
            "--OAuth:Pkce=Required", "--OAuth:PkceMethods=S256", "--OAuth:ClientAuthMethods=client_secret_basic", "--OAuth:RefreshTokens=Rotating",
            "--OAuth:Scopes=profile,records:read,records:write", "--OAuth:DefaultScope=profile", "--Accounts=acme=Acme Corp,globex=Globex");
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Fake is not null) await Fake.DisposeAsync();
    }

    /// <summary>A client of the API whose response bodies are kept in <see cref="ResponseBodies"/>.</summary>
    public HttpClient RecordingClient(string? bearer = null)
    {
        var client = new HttpClient(new RecordingHandler(ResponseBodies)) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    /// <summary>A new tenant whose API key talks through a recording client.</summary>
    public async Task<TenantWithKey> TenantAsync()
    {
        var tenant = await CreateTenantWithKeyAsync();
        return tenant with { Client = RecordingClient(tenant.Key) };
    }

    /// <summary>The browser's side of the flow: the provider's authorization page (approved at once for <paramref name="account"/>), and its redirect to our callback.</summary>
    public async Task<string> AuthorizeAtProviderAsync(string connectUrl, string account)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var answer = await browser.GetAsync(QueryHelpers.AddQueryString(connectUrl, "account", account));
        answer.StatusCode.ShouldBe(HttpStatusCode.Found, await answer.Content.ReadAsStringAsync());
        var callback = answer.Headers.Location!.ToString();
        callback.ShouldStartWith(BaseAddress.ToString().TrimEnd('/') + "/connect/callback/" + Provider + "?");
        return callback;
    }

    /// <summary>The browser arriving at our callback.</summary>
    public async Task<HttpResponseMessage> CallbackAsync(string callbackUrl)
    {
        using var browser = new HttpClient(new RecordingHandler(ResponseBodies) { InnerHandler = new HttpClientHandler { AllowAutoRedirect = false } });
        return await browser.GetAsync(callbackUrl);
    }

    /// <summary>Creates a generic connection and completes its authorization for <paramref name="account"/>; returns the connection.</summary>
    public async Task<JsonElement> ConnectAsync(HttpClient client, string account = "acme", object? body = null)
    {
        var created = await (await client.PostAsJsonAsync("/api/v1/connections", body ?? new { provider = Provider })).ShouldBeJsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("connection").GetProperty("id").GetGuid();
        using var page = await CallbackAsync(await AuthorizeAtProviderAsync(created.GetProperty("connect_url").GetString()!, account));
        var html = await page.Content.ReadAsStringAsync();
        page.StatusCode.ShouldBe(HttpStatusCode.OK, html);
        html.ShouldContain("Connected");
        return await GetAsync(client, id);
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, Guid id) =>
        await (await client.GetAsync($"/api/v1/connections/{id}")).ShouldBeJsonAsync(HttpStatusCode.OK);

    public static async Task<JsonElement> TestAsync(HttpClient client, Guid id) =>
        await (await client.PostAsync($"/api/v1/connections/{id}/test", null)).ShouldBeJsonAsync(HttpStatusCode.OK);

    public static async Task<List<JsonElement>> AuditAsync(HttpClient client, Guid id) =>
        (await (await client.GetAsync($"/api/v1/connections/{id}/audit-log?limit=100")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().ToList();

    /// <summary>The tokens the fake holds for its grants now: what must never show up in an answer of ours.</summary>
    public async Task<IReadOnlyList<string>> FakeTokensAsync()
    {
        var tokens = new List<string>();
        foreach (var grant in await Fake.Control.GrantsAsync())
            CollectStrings(grant, tokens);
        return tokens.Where(t => t.Length >= 16).Distinct().ToList();
    }

    /// <summary>The events of the incident stream of this kind for the connection (IncidentOpened, IncidentRecurred, IncidentResolved), oldest first.</summary>
    public async Task<List<string>> IncidentEventsAsync(Guid tenantId, string kind, Guid connectionId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "select type from marten.mt_events where tenant_id = @tenant and stream_id = @stream order by version", connection);
        command.Parameters.AddWithValue("tenant", tenantId.ToString());
        command.Parameters.AddWithValue("stream", Domain.Notifications.IncidentDecider.StreamId(tenantId, kind, connectionId));
        var types = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) types.Add(reader.GetString(0));
        return types;
    }

    private static void CollectStrings(JsonElement element, List<string> into)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                into.Add(element.GetString()!);
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) CollectStrings(item, into);
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject()) CollectStrings(property.Value, into);
                break;
        }
    }

    private sealed class RecordingHandler(ConcurrentQueue<string> bodies) : DelegatingHandler(new HttpClientHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            bodies.Enqueue(await response.Content.ReadAsStringAsync(cancellationToken));
            if (response.Headers.Location is { } location) bodies.Enqueue(location.ToString());
            return response;
        }
    }
}
