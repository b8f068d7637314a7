using System.Text.Json;

namespace Integrations.Domain.Connectors.Jira;

/// <summary>
/// A <c>jira:issue_updated</c> delivery whose changelog moved the issue to another status
/// (developer.atlassian.com/cloud/jira/platform/webhooks/, "Example callback for an issue-related event":
/// <c>timestamp</c>, <c>webhookEvent</c>, <c>user.accountId</c>, <c>issue.{id, key}</c>, <c>changelog.{id, items[{fieldId, fromString, toString}]}</c>).
/// </summary>
/// <param name="AccountId">Whose change it was (the app's own user for changes made with our token); null when Jira names nobody.</param>
/// <param name="ChangelogId">Jira's id of this change: with the issue id, what deduplicates a delivery sent twice.</param>
public sealed record JiraStatusChange(string IssueId, string IssueKey, string ChangelogId, string? AccountId, string? FromStatus, string ToStatus);

/// <summary>One item of a delivery's changelog: the field's id (<c>duedate</c>, <c>customfield_10010</c>) and its old and new values (<see cref="JiraFieldTypes.FromChangelog"/>).</summary>
public sealed record JiraChangeItem(string FieldId, string? From, string? FromString, string? To, string? ToText);

/// <summary>A <c>jira:issue_updated</c> delivery's change: the issue, Jira's changelog id, whose change it was, and every item.</summary>
public sealed record JiraIssueChange(string IssueId, string IssueKey, string ChangelogId, string? AccountId, IReadOnlyList<JiraChangeItem> Items)
{
    /// <summary>The status item, when the change moved the issue to another status.</summary>
    public JiraChangeItem? Status => Items.FirstOrDefault(i => i.FieldId == "status" && i.ToText is { Length: > 0 });
}

public static class JiraIssueUpdate
{
    public const string IssueUpdated = "jira:issue_updated";
    public const string Provider = "jira";
    public const string IssueAction = "jira.issue";

    /// <summary>The identity map's type for a Jira issue (its external id is the issue's id).</summary>
    public const string ExternalType = "jira.issue";

    /// <summary>The status change the delivery carries, or null (another event, no status item, a body not shaped like Jira's).</summary>
    public static JiraStatusChange? StatusChangeOf(JsonElement body) =>
        ChangeOf(body) is { Status: { } status } change
            ? new JiraStatusChange(change.IssueId, change.IssueKey, change.ChangelogId, change.AccountId, status.FromString, status.ToText!)
            : null;

    /// <summary>The change a <c>jira:issue_updated</c> delivery carries, or null (another event, no changelog items, a body not shaped like Jira's).</summary>
    public static JiraIssueChange? ChangeOf(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || Text(body, "webhookEvent") != IssueUpdated) return null;
        if (!body.TryGetProperty("issue", out var issue) || issue.ValueKind != JsonValueKind.Object) return null;
        if (!body.TryGetProperty("changelog", out var changelog) || changelog.ValueKind != JsonValueKind.Object) return null;
        if (Text(issue, "id") is not { } id || Text(changelog, "id") is not { } changeId) return null;
        if (!changelog.TryGetProperty("items", out var list) || list.ValueKind != JsonValueKind.Array) return null;
        var items = list.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object && (Text(i, "fieldId") ?? Text(i, "field")) is { Length: > 0 })
            .Select(i => new JiraChangeItem((Text(i, "fieldId") ?? Text(i, "field"))!, Text(i, "from"), Text(i, "fromString"), Text(i, "to"), Text(i, "toString")))
            .ToList();
        if (items.Count == 0) return null;
        var account = body.TryGetProperty("user", out var user) && user.ValueKind == JsonValueKind.Object ? Text(user, "accountId") : null;
        return new JiraIssueChange(id, Text(issue, "key") ?? id, changeId, account, items);
    }

    /// <summary>
    /// Our status for a Jira status by a route's <c>status_map</c> (Jira status name → ours; names compared
    /// ignoring case, as Jira does not allow two statuses differing only in case); null when it is not mapped.
    /// </summary>
    public static string? OurStatus(IReadOnlyDictionary<string, string> statusMap, string jiraStatus) =>
        statusMap.FirstOrDefault(m => string.Equals(m.Key, jiraStatus, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>A route's stored <c>status_map</c>, or an empty map.</summary>
    public static IReadOnlyDictionary<string, string> StatusMapOf(JsonElement settings) =>
        settings.ValueKind == JsonValueKind.Object && settings.TryGetProperty("status_map", out var map) && map.ValueKind == JsonValueKind.Object
            ? map.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal)
            : new Dictionary<string, string>();

    /// <summary>A member of Jira's JSON as text: ids come as strings or numbers.</summary>
    internal static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;
}
