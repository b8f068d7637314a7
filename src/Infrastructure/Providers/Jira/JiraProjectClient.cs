using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections;
using Integrations.Application.Connectors.Queries.ListJiraProjects;
using Integrations.Domain.Connections;
using Integrations.Infrastructure.Http;

namespace Integrations.Infrastructure.Providers.Jira;

/// <summary>
/// <see cref="IJiraProjects"/> over "Get projects paginated" (<c>GET /project/search</c>,
/// developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/): 50 a page by
/// <c>startAt</c> until <c>isLast</c>, below the connection's site API with its bearer token. A
/// listing is kept for <see cref="CacheFor"/> per connection (a route editor asks repeatedly).
/// </summary>
public sealed class JiraProjectClient : IJiraProjects, IDisposable
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(60);
    private const int PageSize = 50;
    private const int MaxCached = 10_000;

    private readonly HttpClient _client;
    private readonly IClock _clock;
    private readonly ConcurrentDictionary<Guid, (DateTimeOffset Until, JiraProjectList List)> _cache = new();

    public JiraProjectClient(ConnectionsOptions options, IClock clock, Func<bool> allowPrivateNetworkTargets)
    {
        _clock = clock;
        // The catalog's Atlassian URL is the operator's, like the token endpoint's: not a tenant's, so not SSRF-guarded.
        _client = OutboundHttp.CreateClient(allowPrivateNetworkTargets, options.ProviderTimeout, guarded: false);
        _client.Timeout = options.ProviderTimeout;
    }

    public async Task<JiraProjectList> ListAsync(ConnectionAccess access, CancellationToken ct)
    {
        if (_cache.TryGetValue(access.ConnectionId, out var cached) && cached.Until > _clock.UtcNow) return cached.List;
        var projects = new List<JiraProjectDto>();
        var last = false;
        while (!last && projects.Count < IJiraProjects.MaxProjects)
        {
            var page = await PageAsync(access, projects.Count, ct);
            var values = page.GetProperty("values");
            foreach (var project in values.EnumerateArray())
                if (Text(project, "id") is { } id && Text(project, "key") is { } key)
                    projects.Add(new JiraProjectDto(id, key, Text(project, "name") ?? key));
            last = values.GetArrayLength() == 0 || page.TryGetProperty("isLast", out var isLast) && isLast.ValueKind == JsonValueKind.True;
        }
        var list = new JiraProjectList(projects.Take(IJiraProjects.MaxProjects).OrderBy(p => p.Key, StringComparer.Ordinal).ToList(), !last);
        if (_cache.Count >= MaxCached) _cache.Clear();
        _cache[access.ConnectionId] = (_clock.UtcNow + CacheFor, list);
        return list;
    }

    public void Dispose() => _client.Dispose();

    private async Task<JsonElement> PageAsync(ConnectionAccess access, int startAt, CancellationToken ct)
    {
        var url = ConnectionEndpoints.Below(access.BaseUrl, "/project/search") + $"?startAt={startAt.ToString(CultureInfo.InvariantCulture)}&maxResults={PageSize}&orderBy=key";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (var (name, value) in access.Credentials.Headers) request.Headers.TryAddWithoutValidation(name, value);
        HttpResponseMessage answer;
        try
        {
            answer = await _client.SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new ProviderCallException(ProviderFailureKind.Transient, "connection", "Jira could not be reached.");
        }
        using (answer)
        {
            var status = (int)answer.StatusCode;
            if (status == 401) throw new ProviderCallException(ProviderFailureKind.Refused, "http_401", "Jira did not accept the connection's token.");
            if (status == 429) throw new ProviderCallException(ProviderFailureKind.Transient, "rate_limited", "Jira asked to slow down; try again shortly.");
            if (status is < 200 or > 299) throw new ProviderCallException(ProviderFailureKind.Transient, $"http_{status}", $"Jira answered {status}.");
            try
            {
                var json = JsonDocument.Parse(await answer.Content.ReadAsByteArrayAsync(ct)).RootElement.Clone();
                return json.ValueKind == JsonValueKind.Object && json.TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array
                    ? json
                    : throw new ProviderCallException(ProviderFailureKind.Transient, "invalid_response", "Jira's answer holds no projects.");
            }
            catch (JsonException)
            {
                throw new ProviderCallException(ProviderFailureKind.Transient, "invalid_response", "Jira's answer is not JSON.");
            }
        }
    }

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
