using System.Text.Json;

namespace Integrations.Domain.Connectors.Jira;

/// <summary>What an issue's answer to "Get issue" with <c>expand=transitions</c> says about reaching a status.</summary>
public abstract record TransitionChoice
{
    /// <summary>The issue is in that status already: nothing to do.</summary>
    public sealed record AlreadyThere(string Status) : TransitionChoice;

    /// <summary>Transition <paramref name="Id"/> leads there (<paramref name="ToStatus"/> as Jira spells it).</summary>
    public sealed record Take(string Id, string ToStatus) : TransitionChoice;

    /// <summary>No transition available from <paramref name="CurrentStatus"/> leads there; <paramref name="Available"/> are the statuses some do lead to.</summary>
    public sealed record NoneLeadsThere(string? CurrentStatus, IReadOnlyList<string> Available) : TransitionChoice;

    /// <summary>The answer is not an issue with its transitions (cut off, another shape).</summary>
    public sealed record Unreadable : TransitionChoice;
}

/// <summary>
/// Moving a Jira issue to a status the way Jira allows it: through one of the transitions its workflow
/// offers from the current status, looked up, never assumed (workflows differ per project and change).
/// Reads Jira's "Get issue" answer (developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/,
/// <c>fields=status&amp;expand=transitions</c>): <c>fields.status.name</c> and
/// <c>transitions[{id, name, to:{id, name}, isAvailable}]</c>. Status names are compared ignoring case,
/// as Jira allows no two statuses that differ only in case.
/// </summary>
public static class JiraTransition
{
    public const string Action = "jira.transition";

    /// <summary>The status the default template reads: the catalog's <c>entity.updated</c> carries a changed field's new value in <c>changes.{field}.to</c>.</summary>
    public const string DefaultStatusTemplate = "{{ data.changes.status.to }}";

    public const int MaxStatusMapEntries = 50;
    public const int MaxStatusLength = 100;

    /// <summary>The Jira status a route's <c>status_map</c> (ours → Jira) gives our status; null when it is not mapped. Our statuses are compared exactly.</summary>
    public static string? JiraStatus(IReadOnlyDictionary<string, string> statusMap, string? ourStatus) =>
        ourStatus is { Length: > 0 } && statusMap.TryGetValue(ourStatus, out var jira) ? jira : null;

    /// <summary>Whether a route's <c>status_map</c> is a map of 1–50 statuses, each name and value 1–100 characters (trimmed).</summary>
    public static bool IsValidStatusMap(JsonElement map) =>
        map.ValueKind == JsonValueKind.Object && map.EnumerateObject().Count() is > 0 and <= MaxStatusMapEntries
        && map.EnumerateObject().All(p => p.Name.Trim().Length is > 0 and <= MaxStatusLength
            && p.Value.ValueKind == JsonValueKind.String && p.Value.GetString()!.Trim().Length is > 0 and <= MaxStatusLength);

    /// <summary>Which transition of the issue's answer reaches <paramref name="targetStatus"/>.</summary>
    public static TransitionChoice Choose(JsonElement issue, string targetStatus)
    {
        if (issue.ValueKind != JsonValueKind.Object || !issue.TryGetProperty("transitions", out var transitions) || transitions.ValueKind != JsonValueKind.Array)
            return new TransitionChoice.Unreadable();
        var current = issue.TryGetProperty("fields", out var fields) && fields.ValueKind == JsonValueKind.Object
            && fields.TryGetProperty("status", out var status) ? Name(status) : null;
        if (Same(current, targetStatus)) return new TransitionChoice.AlreadyThere(current!);
        var available = new List<string>();
        foreach (var transition in transitions.EnumerateArray())
        {
            if (transition.ValueKind != JsonValueKind.Object || Text(transition, "id") is not { } id
                || !transition.TryGetProperty("to", out var to) || Name(to) is not { } toName) continue;
            // isAvailable: false lists a transition whose conditions the issue does not meet now.
            if (transition.TryGetProperty("isAvailable", out var usable) && usable.ValueKind == JsonValueKind.False) continue;
            if (Same(toName, targetStatus)) return new TransitionChoice.Take(id, toName);
            if (!available.Contains(toName, StringComparer.OrdinalIgnoreCase)) available.Add(toName);
        }
        return new TransitionChoice.NoneLeadsThere(current, available);
    }

    /// <summary>The body of "Transition issue" (<c>POST /issue/{id}/transitions</c>).</summary>
    public static string TransitionBody(string transitionId) => JsonSerializer.Serialize(new { transition = new { id = transitionId } });

    /// <summary>Why a status cannot be reached, for the attempt log.</summary>
    public static string NoTransitionReason(string issueId, string targetStatus, TransitionChoice.NoneLeadsThere none) =>
        $"No transition of Jira issue {issueId} leads to status \"{targetStatus}\" (it is in \"{none.CurrentStatus ?? "unknown"}\"; " +
        (none.Available.Count == 0 ? "no transition is available)." : $"transitions available lead to: {string.Join(", ", none.Available.Select(s => $"\"{s}\""))}).");

    private static bool Same(string? a, string b) => a is not null && string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    private static string? Name(JsonElement status) => status.ValueKind == JsonValueKind.Object ? Text(status, "name") : null;

    private static string? Text(JsonElement element, string name) => JiraIssueUpdate.Text(element, name);
}
