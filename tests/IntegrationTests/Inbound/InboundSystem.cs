using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Integrations.IntegrationTests.Connections;
using Integrations.IntegrationTests.Infrastructure;

namespace Integrations.IntegrationTests.Inbound;

/// <summary>
/// The connections system (the OAuth provider fake as <c>generic</c>, whose connections name their
/// account) with that provider's webhooks verified as Slack signs them and routed by <c>team_id</c>,
/// a <c>microsoft-teams</c> provider verified by Graph's clientState, and a Workers host running the
/// relay and the inbound pipeline.
/// </summary>
public class InboundSystem : ConnectionsSystem
{
    public const string SlackSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    public const string GraphClientState = "client-state-5d1e";

    protected override IDictionary<string, string?> ConnectionSettings => new Dictionary<string, string?>
    {
        [$"Providers:{Provider}:Inbound:Verifier"] = "slack",
        [$"Providers:{Provider}:Inbound:AccountIdPath"] = "team_id",
        [$"Providers:{Provider}:Inbound:Secret"] = SlackSecret,
        ["Providers:microsoft-teams:AuthKinds"] = "api_key",
        ["Providers:microsoft-teams:ApiBaseUrl"] = "https://graph.example.com/v1.0",
        ["Providers:microsoft-teams:Inbound:Verifier"] = "graph_client_state",
        ["Providers:microsoft-teams:Inbound:AccountIdPath"] = "value.0.tenantId",
        ["Providers:microsoft-teams:Inbound:Secret"] = GraphClientState,
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await StartWorkersAsync(new Dictionary<string, string?> { ["Workers:Pipelines"] = "outbox-relay,inbound", ["Inbound:RetentionSweepInterval"] = "00:00:01",
            ["Inbound:SilenceCheckInterval"] = "00:00:00.500" });
    }

    /// <summary>A request signed as Slack signs (v0, HMAC-SHA256 of v0:{timestamp}:{body}).</summary>
    public static HttpRequestMessage SlackRequest(string path, string body, DateTimeOffset? at = null, string secret = SlackSecret)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}")));
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Slack-Signature", signature);
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        return request;
    }

    /// <summary>A copy of a request (same headers and body), as a replaying attacker or a retrying sender sends it.</summary>
    public static async Task<HttpRequestMessage> CopyAsync(HttpRequestMessage original, string? body = null)
    {
        var copy = new HttpRequestMessage(original.Method, original.RequestUri)
        {
            Content = new StringContent(body ?? await original.Content!.ReadAsStringAsync(), Encoding.UTF8, "application/json"),
        };
        foreach (var header in original.Headers) copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        return copy;
    }

    public HttpClient Anonymous() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public static string SlackEvent(string teamId, string eventId, string text = "hello") =>
        JsonSerializer.Serialize(new { token = "x", team_id = teamId, type = "event_callback", event_id = eventId, @event = new { type = "app_mention", text } });

    public async Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters) => await ScalarAsync<long>(sql, parameters);

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
