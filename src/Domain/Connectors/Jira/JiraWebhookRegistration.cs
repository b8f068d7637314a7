using System.Text.Json;
using Integrations.Domain.Connectors.Registrations;

namespace Integrations.Domain.Connectors.Jira;

/// <summary>
/// The dynamic webhook a Jira connection needs (ADR 0028): <c>jira:issue_updated</c> for the projects of
/// its enabled <c>jira.issue</c> routes that bring changes back (a <c>status_map</c> or <c>fields_back</c>), filtered by JQL
/// <c>project in ("OPS", "FIN")</c> — one of the clauses Atlassian allows in a dynamic webhook's filter
/// (developer.atlassian.com/cloud/jira/platform/webhooks/, "Registering a webhook using the REST API").
/// No such route: nothing is wanted, and a registration left over is removed.
/// </summary>
public static class JiraWebhookRegistration
{
    public const string Kind = "jira.webhook";

    public static readonly IReadOnlyList<string> Events = ["jira:issue_updated"];

    /// <param name="routes">The action and stored settings of the connection's enabled routes.</param>
    /// <param name="url">The connection's inbound URL.</param>
    public static WantedRegistration? Wanted(IEnumerable<(string Action, JsonElement Settings)> routes, string url)
    {
        var projects = routes
            .Where(r => r.Action == JiraIssueUpdate.IssueAction && ComesBack(r.Settings))
            .Select(r => r.Settings.TryGetProperty("project", out var project) && project.ValueKind == JsonValueKind.String ? project.GetString() : null)
            .OfType<string>()
            .Where(p => p.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal)
            .ToList();
        return projects.Count == 0 ? null : new WantedRegistration(Kind, url, Events, $"project in ({string.Join(", ", projects.Select(Quoted))})");
    }

    private static bool ComesBack(JsonElement settings) => JiraIssueUpdate.StatusMapOf(settings).Count > 0 || JiraFieldsBack.Of(settings).Count > 0;

    /// <summary>A JQL string literal: double quotes, with quotes and backslashes escaped.</summary>
    private static string Quoted(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
