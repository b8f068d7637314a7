using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Integrations.IntegrationTests.Infrastructure;

/// <summary>One request as a fake received it (<c>GET /_fake/requests</c>); header names are lower-case.</summary>
public sealed record FakeRequest(
    long Sequence,
    DateTimeOffset ReceivedAt,
    string Method,
    string Path,
    string QueryString,
    Dictionary<string, string> Query,
    Dictionary<string, string> Headers,
    string Body,
    bool BodyTruncated);

/// <summary>
/// What the next <paramref name="Count"/> calls under <paramref name="PathPrefix"/> get instead of the real
/// answer (null count: every call until cleared): a status with body and headers, a delay (then the real
/// answer, unless a status is given), a hang, or a dropped connection.
/// </summary>
public sealed record FakeFault(
    string PathPrefix,
    int? Count = 1,
    int? Status = null,
    string? Body = null,
    Dictionary<string, string>? Headers = null,
    int DelayMs = 0,
    bool Hang = false,
    bool Abort = false,
    string? Method = null);

/// <summary>A fixed-window rate limit of a fake; <paramref name="ResetFormat"/> is seconds_from_now, epoch_seconds, epoch_milliseconds or iso8601.</summary>
public sealed record FakeRateLimit(
    int Limit,
    int WindowSeconds,
    string PathPrefix = "/api",
    string Per = "global",
    string ResetFormat = "seconds_from_now",
    bool RetryAfterAsHttpDate = false);

/// <summary>The control API every fake offers under <c>/_fake</c> (tests/Fakes/README.md).</summary>
public class FakeControl(HttpClient http)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    protected HttpClient Http { get; } = http;

    /// <summary>Everything back as at start-up: requests, faults, rate limits, clock, tokens, settings, data.</summary>
    public Task ResetAsync() => SendAsync(HttpMethod.Post, "/_fake/reset");

    public async Task<IReadOnlyList<FakeRequest>> RequestsAsync(string? pathPrefix = null, string? method = null)
    {
        var query = new List<string>();
        if (pathPrefix is not null) query.Add("path_prefix=" + Uri.EscapeDataString(pathPrefix));
        if (method is not null) query.Add("method=" + Uri.EscapeDataString(method));
        var page = await GetAsync<DataOf<FakeRequest>>("/_fake/requests" + (query.Count > 0 ? "?" + string.Join('&', query) : ""));
        return page.Data;
    }

    public Task AddFaultAsync(FakeFault fault) => SendAsync(HttpMethod.Post, "/_fake/faults", fault);

    /// <summary>Removes every fault and releases the calls that hang.</summary>
    public Task ClearFaultsAsync() => SendAsync(HttpMethod.Delete, "/_fake/faults");

    public Task SetRateLimitsAsync(params FakeRateLimit[] limits) => SendAsync(HttpMethod.Put, "/_fake/rate-limits", new { data = limits });

    /// <summary>Moves the fake's clock forward: codes, tokens and rate-limit windows expire without waiting.</summary>
    public Task AdvanceClockAsync(TimeSpan by) => SendAsync(HttpMethod.Post, "/_fake/clock/advance", new { seconds = by.TotalSeconds });

    protected async Task<T> GetAsync<T>(string path)
    {
        using var response = await Http.GetAsync(path);
        await EnsureSuccessAsync(response, "GET", path);
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    protected async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        using var response = await Http.SendAsync(request);
        await EnsureSuccessAsync(response, method.Method, path);
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string method, string path)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"fake control call {method} {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    protected sealed record DataOf<T>(List<T> Data);
}

/// <summary>Calls of the token endpoint per grant type, and how many of them handed out tokens.</summary>
public sealed record FakeTokenStats(Dictionary<string, int> TokenRequests, Dictionary<string, int> TokenSuccesses, int RevocationRequests)
{
    public int Requests(string grantType) => TokenRequests.GetValueOrDefault(grantType);

    public int Successes(string grantType) => TokenSuccesses.GetValueOrDefault(grantType);
}

/// <summary>The control API of a fake built on the OAuth core (tests/Fakes/Common/OAuth): quirks, clients, accounts, tokens, faults.</summary>
public sealed class OAuthFakeControl(HttpClient http) : FakeControl(http)
{
    /// <summary>Changes settings by name (snake_case), e.g. <c>new { refresh_tokens = "rotating", rotation_grace_seconds = 30 }</c>.</summary>
    public Task SettingsAsync(object patch) => SendAsync(HttpMethod.Patch, "/_fake/oauth/settings", patch);

    public Task AddClientAsync(string clientId, string? clientSecret, params string[] redirectUris) =>
        SendAsync(HttpMethod.Post, "/_fake/oauth/clients", new { client_id = clientId, client_secret = clientSecret, redirect_uris = redirectUris });

    public Task AddAccountAsync(string id, string name) => SendAsync(HttpMethod.Post, "/_fake/accounts", new { id, name });

    /// <summary>Expires access tokens now (one, an account's, or all); returns how many.</summary>
    public async Task<int> ExpireAccessTokensAsync(string? accessToken = null, string? account = null) =>
        (await SendAsync(HttpMethod.Post, "/_fake/oauth/expire-tokens", new { access_token = accessToken, account })).GetProperty("expired").GetInt32();

    /// <summary>Revokes grants as a user disconnecting the app at the provider; returns how many.</summary>
    public async Task<int> RevokeGrantsAsync(string? account = null, string? clientId = null) =>
        (await SendAsync(HttpMethod.Post, "/_fake/oauth/revoke-grants", new { account, client_id = clientId })).GetProperty("revoked").GetInt32();

    /// <summary>The next <paramref name="count"/> refreshes fail: invalid_grant, server_error, temporarily_unavailable, hang or lost_response.</summary>
    public Task AddRefreshFaultAsync(string kind, int count = 1, int? status = null) =>
        SendAsync(HttpMethod.Post, "/_fake/oauth/refresh-faults", new { kind, count, status });

    public Task<FakeTokenStats> StatsAsync() => GetAsync<FakeTokenStats>("/_fake/oauth/stats");

    public async Task<IReadOnlyList<JsonElement>> GrantsAsync() => (await GetAsync<DataOf<JsonElement>>("/_fake/oauth/grants")).Data;

    /// <summary>The API's authentication: mode oauth2, api_key or basic, and the header an API key may come in.</summary>
    public Task SetAuthModeAsync(string mode, string apiKeyHeader = "X-API-Key") =>
        SendAsync(HttpMethod.Put, "/_fake/auth", new { mode, api_key_header = apiKeyHeader });

    public Task AddApiKeyAsync(string key, string account) => SendAsync(HttpMethod.Post, "/_fake/auth/api-keys", new { key, account });

    public Task RemoveApiKeyAsync(string key) => SendAsync(HttpMethod.Delete, "/_fake/auth/api-keys/" + Uri.EscapeDataString(key));

    public Task AddBasicUserAsync(string username, string password, string account) =>
        SendAsync(HttpMethod.Post, "/_fake/auth/basic-users", new { username, password, account });
}
