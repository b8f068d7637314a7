using System.Globalization;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections;
using Integrations.Application.Connectors.Queries.ListJiraProjects;
using Integrations.Domain.Connections;

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

    private readonly ProviderReads<JiraProjectList> _reads;

    public JiraProjectClient(ConnectionsOptions options, IClock clock, Func<bool> allowPrivateNetworkTargets) =>
        _reads = new ProviderReads<JiraProjectList>(options, clock, allowPrivateNetworkTargets, CacheFor);

    public Task<JiraProjectList> ListAsync(ConnectionAccess access, CancellationToken ct) => _reads.CachedAsync(access.ConnectionId, async () =>
    {
        var projects = new List<JiraProjectDto>();
        var last = false;
        while (!last && projects.Count < IJiraProjects.MaxProjects)
        {
            var url = ConnectionEndpoints.Below(access.BaseUrl, "/project/search")
                + $"?startAt={projects.Count.ToString(CultureInfo.InvariantCulture)}&maxResults={PageSize}&orderBy=key";
            var page = await _reads.GetJsonAsync(access, url, "Jira",
                json => json.ValueKind == JsonValueKind.Object && json.TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array, ct);
            var values = page.GetProperty("values");
            foreach (var project in values.EnumerateArray())
                if (Text(project, "id") is { } id && Text(project, "key") is { } key)
                    projects.Add(new JiraProjectDto(id, key, Text(project, "name") ?? key));
            last = values.GetArrayLength() == 0 || page.TryGetProperty("isLast", out var isLast) && isLast.ValueKind == JsonValueKind.True;
        }
        return new JiraProjectList(projects.Take(IJiraProjects.MaxProjects).OrderBy(p => p.Key, StringComparer.Ordinal).ToList(), !last);
    });

    public void Dispose() => _reads.Dispose();

    private static string? Text(JsonElement json, string name) => ProviderReads<JiraProjectList>.Text(json, name);
}
