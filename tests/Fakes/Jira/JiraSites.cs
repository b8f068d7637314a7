using System.Text.Json.Nodes;
using Integrations.Fakes.Common;

namespace Integrations.Fakes.Jira;

/// <summary>A Jira project of a site, with its issue types.</summary>
public sealed record JiraProject(string Id, string Key, string Name, IReadOnlyList<string> IssueTypes);

/// <summary>An issue as created: its key, the site, and the fields it was created with.</summary>
public sealed record JiraIssueRecord(string Id, string Key, string Site, JsonObject Fields, DateTimeOffset Created);

/// <summary>
/// The fake's Jira data, per site (cloud id): projects (every site has OPS "Operations" and SUP
/// "Support", issue types Task and Bug, unless the control API adds more) and the issues created.
/// </summary>
public sealed class JiraSites : IFakeResettable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, List<JiraProject>> _extraProjects = new(StringComparer.Ordinal);
    private readonly List<JiraIssueRecord> _issues = [];
    private int _nextId = 10000;

    public static readonly IReadOnlyList<JiraProject> DefaultProjects =
    [
        new("10000", "OPS", "Operations", ["Task", "Bug"]),
        new("10001", "SUP", "Support", ["Task", "Bug"]),
    ];

    public void Reset()
    {
        lock (_gate)
        {
            _extraProjects.Clear();
            _issues.Clear();
            _nextId = 10000;
        }
    }

    public IReadOnlyList<JiraProject> ProjectsOf(string site)
    {
        lock (_gate)
        {
            return [.. DefaultProjects, .. _extraProjects.GetValueOrDefault(site) ?? []];
        }
    }

    public void AddProject(string site, JiraProject project)
    {
        lock (_gate)
        {
            if (!_extraProjects.TryGetValue(site, out var list)) _extraProjects[site] = list = [];
            list.Add(project);
        }
    }

    public JiraIssueRecord Create(string site, JiraProject project, JsonObject fields, DateTimeOffset at)
    {
        lock (_gate)
        {
            var id = (++_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var key = $"{project.Key}-{_issues.Count(i => i.Site == site && i.Key.StartsWith(project.Key + "-", StringComparison.Ordinal)) + 1}";
            var issue = new JiraIssueRecord(id, key, site, (JsonObject)fields.DeepClone(), at);
            _issues.Add(issue);
            return issue;
        }
    }

    public JiraIssueRecord? Find(string site, string idOrKey)
    {
        lock (_gate)
        {
            return _issues.FirstOrDefault(i => i.Site == site && (i.Key == idOrKey || i.Id == idOrKey));
        }
    }

    public IReadOnlyList<JiraIssueRecord> Issues(string? site)
    {
        lock (_gate)
        {
            return _issues.Where(i => site is null || i.Site == site).ToList();
        }
    }
}
