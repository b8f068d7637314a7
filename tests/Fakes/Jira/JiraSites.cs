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
            var stored = (JsonObject)fields.DeepClone();
            stored["status"] = Status(Statuses[0]);
            var issue = new JiraIssueRecord(id, key, site, stored, at);
            _issues.Add(issue);
            return issue;
        }
    }

    /// <summary>The workflow every project has: To Do, In Progress, Done; a transition (id 11, 21, 31) leads to each from the others.</summary>
    public static readonly IReadOnlyList<(string Id, string Name, string TransitionId)> Statuses =
        [("10000", "To Do", "11"), ("10001", "In Progress", "21"), ("10002", "Done", "31")];

    public static JsonObject Status((string Id, string Name, string TransitionId) status) => new() { ["id"] = status.Id, ["name"] = status.Name };

    /// <summary>Performs a transition; the changelog item (status from → to), or null when it is not available from the issue's status.</summary>
    public JsonObject? Transition(JiraIssueRecord issue, string transitionId)
    {
        lock (_gate)
        {
            var current = issue.Fields["status"]!["id"]!.GetValue<string>();
            var target = Statuses.FirstOrDefault(s => s.TransitionId == transitionId && s.Id != current);
            if (target.Id is null) return null;
            var from = Statuses.First(s => s.Id == current);
            issue.Fields["status"] = Status(target);
            return new JsonObject
            {
                ["field"] = "status", ["fieldtype"] = "jira", ["fieldId"] = "status",
                ["from"] = from.Id, ["fromString"] = from.Name, ["to"] = target.Id, ["toString"] = target.Name,
            };
        }
    }

    /// <summary>Sets fields (Edit issue's <c>fields</c>); the changelog items of those that changed (<see cref="JiraChangelog"/>).</summary>
    public JsonArray Edit(JiraIssueRecord issue, JsonObject fields)
    {
        lock (_gate)
        {
            var items = new JsonArray();
            foreach (var (name, value) in fields.ToList())
            {
                var before = issue.Fields[name]?.DeepClone();
                if (before?.ToJsonString() == value?.ToJsonString()) continue;
                issue.Fields[name] = value?.DeepClone();
                items.Add(JiraChangelog.Item(name, before, value));
            }
            return items;
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
