using System.Text.Json;
using System.Text.Json.Nodes;

namespace Integrations.Domain.Connectors.Jira;

/// <summary>One mapped field: the Jira field's id (<c>duedate</c>, <c>customfield_10010</c>), its type, and our value as a template.</summary>
public sealed record JiraFieldMapping(string Field, string Type, JsonTemplate Value);

/// <summary>Our record an issue is made for: its type and its id as a template (<c>{{ data.invoice_id }}</c>).</summary>
public sealed record JiraEntity(string Type, JsonTemplate Id);

/// <summary>What a <c>jira.issue</c> route makes of an event: the project, the issue type, templates and mapped fields.</summary>
/// <param name="Project">The project's key (OPS) or numeric id.</param>
/// <param name="IssueType">The issue type's name (Task, Bug) or numeric id.</param>
/// <param name="Description">A plain-text template rendered into ADF paragraphs; null: the default description.</param>
public sealed record JiraIssueTemplate(
    string Project, string IssueType, JsonTemplate Summary, JsonTemplate? Description, IReadOnlyList<string> Labels,
    IReadOnlyList<JiraFieldMapping> Fields, PathTemplate? OpenUrl, JiraEntity? Entity = null);

/// <summary>
/// The body of Jira's "Create issue" (<c>POST /rest/api/3/issue</c>, developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/):
/// <c>{"fields": {project, issuetype, summary, description (ADF), labels, mapped fields}}</c>. Pure.
/// </summary>
public static class JiraIssue
{
    /// <summary>Jira's limit for a summary.</summary>
    public const int MaxSummaryLength = 255;

    public static JsonObject Build(JiraIssueTemplate template, TemplateEvent @event, JsonElement data)
    {
        var fields = new JsonObject
        {
            ["project"] = Reference(template.Project, "key"),
            ["issuetype"] = Reference(template.IssueType, "name"),
            ["summary"] = Summary(template.Summary.Render(@event, data), @event.Type),
        };
        var openUrl = template.OpenUrl?.Render(@event, data);
        fields["description"] = template.Description?.Render(@event, data) is JsonValue text && text.GetValueKind() == JsonValueKind.String
            ? JiraDocument.FromText(text.GetValue<string>())
            : JiraDocument.Default(@event, data, openUrl);
        var labels = template.Labels.Select(JiraFieldTypes.Label).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (labels.Count > 0) fields["labels"] = new JsonArray(labels.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray());
        foreach (var mapping in template.Fields)
            if (JiraFieldTypes.ToJira(mapping.Type, mapping.Value.Render(@event, data)) is { } value)
            {
                // Mapped labels add to the route's own.
                if (mapping.Field == "labels" && fields["labels"] is JsonArray existing && value is JsonArray more)
                    foreach (var label in more.Select(l => l!.GetValue<string>()).Where(l => existing.All(e => e!.GetValue<string>() != l)).ToList())
                        existing.Add(label);
                else fields[mapping.Field] = value;
            }
        var body = new JsonObject { ["fields"] = fields };
        // The record the issue is for rides along as an issue property: the succeeded call's link reads it back (EntityOf).
        if (template.Entity?.Id.Render(@event, data) is JsonValue id && Text(id) is { Length: > 0 and <= 200 } entityId)
            body["properties"] = new JsonArray(new JsonObject { ["key"] = EntityProperty, ["value"] = new JsonObject { ["type"] = template.Entity.Type, ["id"] = entityId } });
        return body;
    }

    /// <summary>The issue property naming our record (Jira's entity properties, set by "Create issue"'s <c>properties</c>).</summary>
    public const string EntityProperty = "integrations.entity";

    /// <summary>Our record a create-issue body names (<see cref="EntityProperty"/>), or null.</summary>
    public static (string Type, string Id)? EntityOf(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Array) return null;
        foreach (var property in properties.EnumerateArray())
            if (property.ValueKind == JsonValueKind.Object && property.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String && key.GetString() == EntityProperty
                && property.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Object
                && value.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                && value.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                return (type.GetString()!, id.GetString()!);
        return null;
    }

    private static string? Text(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.Number => value.ToJsonString(),
        _ => null,
    };

    /// <summary>One line, at most 255 characters; an empty summary becomes the event's title (Jira refuses an issue without one).</summary>
    public static string Summary(JsonNode? rendered, string eventType)
    {
        var text = rendered is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : rendered?.ToJsonString() ?? "";
        text = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        if (text.Length == 0) text = Slack.SlackMessage.Title(eventType);
        return text.Length <= MaxSummaryLength ? text : text[..(MaxSummaryLength - 1)] + "…";
    }

    /// <summary>A numeric value is an id, anything else the key (projects) or name (issue types).</summary>
    private static JsonObject Reference(string value, string byName) =>
        value.All(char.IsAsciiDigit) ? new JsonObject { ["id"] = value } : new JsonObject { [byName] = value };
}
