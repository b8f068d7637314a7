using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Integrations.Fakes.Common;

namespace Integrations.Fakes.Jira;

/// <summary>One dynamic webhook (developer.atlassian.com/cloud/jira/platform/webhooks/, "Registering a webhook using the REST API"):
/// the site, the app's URL, its events and JQL filter, and when it expires (30 days after registration or the last refresh).</summary>
public sealed record JiraWebhook(long Id, string Site, string Url, IReadOnlyList<string> Events, string JqlFilter)
{
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>
/// The fake's dynamic webhooks and their deliveries. Deliveries carry Jira's <c>jira:issue_updated</c>
/// body (<c>timestamp</c>, <c>webhookEvent</c>, <c>issue_event_type_name</c>, <c>user</c>, <c>issue</c>,
/// <c>changelog.items[{field, fieldId, from, fromString, to, toString}]</c>, <c>matchedWebhookIds</c>) to
/// every unexpired webhook of the site whose events name it and whose JQL filter matches. The filter
/// understood is <c>project = KEY</c> (or <c>project in (A, B)</c>); anything else matches every issue.
/// Deliveries are signed as Atlassian documents for OAuth 2.0 apps (same page, "Webhooks authentication for OAuth 2.0
/// apps"): <c>Authorization: Bearer &lt;JWT&gt;</c>, HS256 with the app's client secret (<c>Client:Secret</c>). The claims
/// are not documented; the fake sends <c>iss</c> (the client id), <c>iat</c> and <c>exp</c> (five minutes), on its clock.
/// </summary>
public sealed class JiraWebhooks(IHttpClientFactory clients, TimeProvider clock, Microsoft.Extensions.Configuration.IConfiguration configuration) : IFakeResettable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);
    private readonly object _gate = new();
    private readonly List<JiraWebhook> _hooks = [];
    private readonly List<JsonObject> _sent = [];
    private long _nextId = 1000;

    public void Reset()
    {
        lock (_gate)
        {
            _hooks.Clear();
            _sent.Clear();
            _nextId = 1000;
        }
    }

    public JiraWebhook Register(string site, string url, IReadOnlyList<string> events, string jql)
    {
        lock (_gate)
        {
            var hook = new JiraWebhook(++_nextId, site, url, events, jql) { ExpiresAt = clock.GetUtcNow() + Lifetime };
            _hooks.Add(hook);
            return hook;
        }
    }

    /// <summary>The site's webhooks that have not expired (an expired one is gone, as at Jira).</summary>
    public IReadOnlyList<JiraWebhook> Of(string site)
    {
        lock (_gate)
        {
            _hooks.RemoveAll(h => h.ExpiresAt <= clock.GetUtcNow());
            return _hooks.Where(h => h.Site == site).ToList();
        }
    }

    /// <summary>Extends the named webhooks of the site by 30 days from now; returns the new expiry.</summary>
    public DateTimeOffset Refresh(string site, IReadOnlyCollection<long> ids)
    {
        var until = clock.GetUtcNow() + Lifetime;
        foreach (var hook in Of(site).Where(h => ids.Contains(h.Id))) hook.ExpiresAt = until;
        return until;
    }

    public void Delete(string site, IReadOnlyCollection<long> ids)
    {
        lock (_gate)
        {
            _hooks.RemoveAll(h => h.Site == site && ids.Contains(h.Id));
        }
    }

    public IReadOnlyList<JsonObject> Sent()
    {
        lock (_gate)
        {
            return _sent.Select(s => (JsonObject)s.DeepClone()).ToList();
        }
    }

    /// <summary>Sends <c>jira:issue_updated</c> for a change to the matching webhooks; returns how many deliveries were answered 2xx.</summary>
    public async Task<int> IssueUpdatedAsync(JiraIssueRecord issue, string projectKey, JsonArray changes, string accountId)
    {
        var matching = Of(issue.Site).Where(h => h.Events.Contains("jira:issue_updated") && Matches(h.JqlFilter, projectKey)).ToList();
        var delivered = 0;
        foreach (var url in matching.GroupBy(h => h.Url))
        {
            var body = new JsonObject
            {
                ["timestamp"] = clock.GetUtcNow().ToUnixTimeMilliseconds(),
                ["webhookEvent"] = "jira:issue_updated",
                ["issue_event_type_name"] = "issue_generic",
                ["user"] = new JsonObject { ["accountId"] = accountId },
                ["issue"] = new JsonObject { ["id"] = issue.Id, ["key"] = issue.Key, ["fields"] = issue.Fields.DeepClone() },
                ["changelog"] = new JsonObject { ["id"] = Guid.NewGuid().ToString("N")[..8], ["items"] = changes.DeepClone() },
                ["matchedWebhookIds"] = new JsonArray(url.Select(h => (JsonNode?)JsonValue.Create(h.Id)).ToArray()),
            };
            lock (_gate)
            {
                _sent.Add(body);
            }
            using var client = clients.CreateClient("jira-webhooks");
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url.Key) { Content = JsonContent.Create(body) };
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token());
                using var answer = await client.SendAsync(request);
                if (answer.IsSuccessStatusCode) delivered++;
            }
            catch (HttpRequestException)
            {
                // Jira retries later; the fake only records the attempt.
            }
        }
        return delivered;
    }

    /// <summary>An HS256 JWT under the client secret, as Atlassian signs deliveries to OAuth apps.</summary>
    private string Token()
    {
        static string Part(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var header = Part(System.Text.Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
        var claims = Part(System.Text.Encoding.UTF8.GetBytes(new JsonObject { ["iss"] = configuration["Client:Id"], ["iat"] = now, ["exp"] = now + 300 }.ToJsonString()));
        var secret = System.Text.Encoding.UTF8.GetBytes(configuration["Client:Secret"] ?? "fake-secret");
        return $"{header}.{claims}.{Part(System.Security.Cryptography.HMACSHA256.HashData(secret, System.Text.Encoding.ASCII.GetBytes(header + "." + claims)))}";
    }

    private static bool Matches(string jql, string projectKey)
    {
        var text = jql.Trim();
        if (text.StartsWith("project", StringComparison.OrdinalIgnoreCase))
        {
            var rest = text[7..].Trim();
            if (rest.StartsWith('=')) return string.Equals(rest[1..].Trim().Trim('"'), projectKey, StringComparison.OrdinalIgnoreCase);
            if (rest.StartsWith("in", StringComparison.OrdinalIgnoreCase))
                return rest[2..].Trim().Trim('(', ')').Split(',').Any(k => string.Equals(k.Trim().Trim('"'), projectKey, StringComparison.OrdinalIgnoreCase));
        }
        return true;
    }

    public static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture);
}
