using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Application.Connections;
using Integrations.Application.Connectors;
using Integrations.Application.Connectors.Registrations;
using Integrations.Domain.Connections;
using Integrations.Domain.Connectors.Jira;
using Integrations.Domain.Connectors.Registrations;
using Integrations.Infrastructure.Http;

namespace Integrations.Infrastructure.Providers.Jira;

/// <summary>
/// A Jira connection's dynamic webhook (ADR 0028), through Jira's webhooks API for OAuth 2.0 apps
/// (developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-webhooks/) below the site's API:
/// <c>GET /webhook</c> (the app's webhooks, paged), <c>POST /webhook</c> (<c>url</c> and
/// <c>webhooks[{events, jqlFilter}]</c>; each entry answers <c>createdWebhookId</c> or <c>errors</c>),
/// <c>PUT /webhook/refresh</c> and <c>DELETE /webhook</c> (both <c>{"webhookIds":[…]}</c>). Jira expires a
/// dynamic webhook 30 days after it was registered or last refreshed; <c>expirationDate</c> is read as
/// the documented text (<c>2019-06-01T12:42:30.000+0000</c>) or as epoch milliseconds, as Jira's schema types it.
/// </summary>
public sealed class JiraWebhookRegistrar : IProviderRegistrar, IDisposable
{
    private const string Vendor = "Jira";
    private const int PageSize = 100;
    private const int MaxPages = 20;

    private readonly HttpClient _client;

    public JiraWebhookRegistrar(ConnectionsOptions options, Func<bool> allowPrivateNetworkTargets)
    {
        _client = OutboundHttp.CreateClient(allowPrivateNetworkTargets, options.ProviderTimeout, guarded: false);
        _client.Timeout = options.ProviderTimeout;
    }

    public string Provider => JiraProvider.Id;

    public string Kind => JiraWebhookRegistration.Kind;

    public string InboundPath(Guid tenantId, Guid connectionId) => $"/inbound/jira/{tenantId}/{connectionId}";

    // Jira lets only Connect and OAuth 2.0 apps register dynamic webhooks: an API-token connection is outbound only.
    public WantedRegistration? Wanted(string authKind, IReadOnlyList<RouteTarget> routes, string url) =>
        authKind != AuthKinds.OAuth2Code ? null : JiraWebhookRegistration.Wanted(routes.Select(r => (r.Action, JsonDocument.Parse(r.SettingsJson).RootElement)), url);

    public async Task<ObservedRegistration?> FindAsync(ConnectionAccess access, string externalId, CancellationToken ct)
    {
        for (var page = 0; page < MaxPages; page++)
        {
            var url = ConnectionEndpoints.Below(access.BaseUrl, "/webhook")
                + $"?startAt={(page * PageSize).ToString(CultureInfo.InvariantCulture)}&maxResults={PageSize}";
            var answer = (await SendAsync(access, HttpMethod.Get, url, null,
                json => json.ValueKind == JsonValueKind.Object && json.TryGetProperty("values", out var v) && v.ValueKind == JsonValueKind.Array, ct))!.Value;
            var values = answer.GetProperty("values");
            foreach (var hook in values.EnumerateArray())
                if (hook.TryGetProperty("id", out var id) && id.ToString() == externalId)
                    return new ObservedRegistration(externalId, ExpiryOf(hook));
            if (values.GetArrayLength() == 0 || answer.TryGetProperty("isLast", out var last) && last.ValueKind == JsonValueKind.True) return null;
        }
        return null;
    }

    public async Task<ObservedRegistration> RegisterAsync(ConnectionAccess access, WantedRegistration wanted, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["url"] = wanted.Url,
            ["webhooks"] = new JsonArray(new JsonObject
            {
                ["events"] = new JsonArray([.. wanted.Events.Select(e => (JsonNode?)JsonValue.Create(e))]),
                ["jqlFilter"] = wanted.Filter,
            }),
        };
        var answer = (await SendAsync(access, HttpMethod.Post, ConnectionEndpoints.Below(access.BaseUrl, "/webhook").ToString(), body,
            json => json.ValueKind == JsonValueKind.Object && json.TryGetProperty("webhookRegistrationResult", out var r) && r.ValueKind == JsonValueKind.Array
                    && r.GetArrayLength() == 1, ct))!.Value;
        var result = answer.GetProperty("webhookRegistrationResult")[0];
        if (!result.TryGetProperty("createdWebhookId", out var created) || created.ValueKind != JsonValueKind.Number)
            // Jira's reasons (an invalid JQL, another URL already registered for the app) stay out of what the tenant is shown.
            throw new ProviderCallException(ProviderFailureKind.Refused, "registration_refused", "Jira refused the webhook registration.");
        // The registration's answer has no expiry: the listing has.
        return await FindAsync(access, created.ToString(), ct) ?? new ObservedRegistration(created.ToString(), null);
    }

    public async Task<DateTimeOffset?> RenewAsync(ConnectionAccess access, string externalId, CancellationToken ct)
    {
        var answer = await SendAsync(access, HttpMethod.Put, ConnectionEndpoints.Below(access.BaseUrl, "/webhook/refresh").ToString(), Ids(externalId), null, ct);
        return answer is { ValueKind: JsonValueKind.Object } json ? ExpiryOf(json) : null;
    }

    public Task RemoveAsync(ConnectionAccess access, string externalId, CancellationToken ct) =>
        SendAsync(access, HttpMethod.Delete, ConnectionEndpoints.Below(access.BaseUrl, "/webhook").ToString(), Ids(externalId), null, ct);

    public void Dispose() => _client.Dispose();

    private Task<JsonElement?> SendAsync(ConnectionAccess access, HttpMethod method, string url, JsonNode? body, Func<JsonElement, bool>? expected,
        CancellationToken ct) =>
        ProviderRequests.SendAsync(_client, access, method, url, body, Vendor, expected, ct);

    private static JsonObject Ids(string externalId) =>
        new() { ["webhookIds"] = new JsonArray(long.TryParse(externalId, CultureInfo.InvariantCulture, out var id) ? JsonValue.Create(id) : JsonValue.Create(externalId)) };

    private static DateTimeOffset? ExpiryOf(JsonElement json)
    {
        if (!json.TryGetProperty("expirationDate", out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var millis)) return DateTimeOffset.FromUnixTimeMilliseconds(millis);
        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 5 } text) return null;
        // Jira writes the offset without a colon (+0000), which .NET's parser does not read.
        if (text[^5] is '+' or '-' && text[^4..].All(char.IsAsciiDigit)) text = text[..^2] + ":" + text[^2..];
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }
}
