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

public static class JiraIssueUpdate
{
    public const string IssueUpdated = "jira:issue_updated";
    public const string Provider = "jira";
    public const string IssueAction = "jira.issue";

    /// <summary>The identity map's type for a Jira issue (its external id is the issue's id).</summary>
    public const string ExternalType = "jira.issue";

    /// <summary>The status change the delivery carries, or null (another event, no status item, a body not shaped like Jira's).</summary>
    public static JiraStatusChange? StatusChangeOf(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || Text(body, "webhookEvent") != IssueUpdated) return null;
        if (!body.TryGetProperty("issue", out var issue) || issue.ValueKind != JsonValueKind.Object) return null;
        if (!body.TryGetProperty("changelog", out var changelog) || changelog.ValueKind != JsonValueKind.Object) return null;
        if (Text(issue, "id") is not { } id || Text(changelog, "id") is not { } changeId) return null;
        if (!changelog.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array) return null;
        var status = items.EnumerateArray().FirstOrDefault(i => i.ValueKind == JsonValueKind.Object && (Text(i, "fieldId") ?? Text(i, "field")) == "status");
        if (status.ValueKind != JsonValueKind.Object || Text(status, "toString") is not { Length: > 0 } to) return null;
        var account = body.TryGetProperty("user", out var user) && user.ValueKind == JsonValueKind.Object ? Text(user, "accountId") : null;
        return new JiraStatusChange(id, Text(issue, "key") ?? id, changeId, account, Text(status, "fromString"), to);
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

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;
}
