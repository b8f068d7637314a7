using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Connectors;
using Integrations.Domain.Common;
using Integrations.Domain.Connectors;
using Integrations.Domain.Connectors.Jira;

namespace Integrations.Infrastructure.Providers.Jira;

/// <summary>
/// The <c>jira.issue</c> action: creates a Jira issue from an event (<c>POST /issue</c> below the
/// site's API, <see cref="JiraIssue"/>). Its settings:
/// <code>
/// { "project": "OPS",                                       the project's key or id (GET /api/v1/connections/{id}/jira/projects)
///   "issue_type": "Task",                                   the issue type's name or id
///   "summary": "Invoice {{ data.invoice_id }} is overdue",  a template; one line, at most 255 characters
///   "description": "Customer {{ data.customer.name }} …",  optional: plain text rendered into ADF paragraphs; default: the event's fields
///   "labels": ["billing"],                                  optional: labels (spaces become _)
///   "open_url": "https://app.example.com/i/{{ data.id }}",  optional: the "Open in app" link of the default description
///   "fields": { "customfield_10010": { "type": "number", "value": "{{ data.amount_cents }}" } }  optional: field mapping
///   "entity": { "type": "invoice", "id": "{{ data.invoice_id }}" }  optional: our record the issue is for (linked once created)
///   "status_map": { "Done": "closed" }                      optional, needs entity: Jira statuses that come back as ours
///   "fields_back": { "duedate": { "attribute": "due_at", "type": "date" } }  optional, needs entity: fields that come back
/// }
/// </code>
/// A created issue is linked with the route's entity in the connection's identity map
/// (<see cref="ILinkingConnectorAction"/>): <c>jira.issue</c> and the issue's id, which stays the same
/// when the issue moves to another project (its key does not).
/// </summary>
public sealed partial class JiraIssueAction : IConnectorAction, ILinkingConnectorAction
{
    public const string ExternalType = JiraIssueUpdate.ExternalType;

    private static readonly string[] Settings = ["project", "issue_type", "summary", "description", "labels", "open_url", "fields", "entity", "status_map", JiraFieldsBack.Setting];
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ConcurrentDictionary<string, JiraIssueTemplate> _parsed = new(StringComparer.Ordinal);

    public string Name => JiraProvider.IssueAction;

    public Task<string> CheckSettingsAsync(JsonElement settings, CancellationToken ct)
    {
        var errors = ActionSettings.UnknownFields(settings, "jira.issue", Settings);
        var output = new JsonObject
        {
            ["project"] = Matching(settings, "project", ProjectKey(), "invalid_project", "settings.project is a Jira project's key (OPS) or id.", errors),
            ["issue_type"] = Matching(settings, "issue_type", IssueTypeName(), "invalid_issue_type", "settings.issue_type is an issue type's name (Task, Bug) or id.", errors),
        };
        output["summary"] = TextTemplate(settings, "summary", required: true, errors);
        if (TextTemplate(settings, "description", required: false, errors) is { } description) output["description"] = description;
        if (settings.TryGetProperty("labels", out var labels) && labels.ValueKind != JsonValueKind.Null)
        {
            if (labels.ValueKind != JsonValueKind.Array || labels.GetArrayLength() > 20 || labels.EnumerateArray().Any(l => l.ValueKind != JsonValueKind.String || JiraFieldTypes.Label(l.GetString()!) is null))
                errors.Add(new("settings.labels", "invalid_labels", "settings.labels is a list of at most 20 non-empty labels."));
            else output["labels"] = JsonNode.Parse(labels.GetRawText());
        }
        if (settings.TryGetProperty("open_url", out var openUrl) && openUrl.ValueKind != JsonValueKind.Null)
        {
            if (openUrl.ValueKind == JsonValueKind.String && openUrl.GetString()!.StartsWith("http", StringComparison.Ordinal)
                && ActionSettings.TryParse(() => PathTemplate.Parse(openUrl.GetString()!), "settings.open_url", errors))
                output["open_url"] = openUrl.GetString();
            else if (openUrl.ValueKind != JsonValueKind.String) errors.Add(new("settings.open_url", "invalid_url", "settings.open_url is an http(s) URL template."));
        }
        output["fields"] = Fields(settings, errors);
        if (settings.TryGetProperty("entity", out var entity) && entity.ValueKind != JsonValueKind.Null) CheckEntity(entity, output, errors);
        if (settings.TryGetProperty("status_map", out var statusMap) && statusMap.ValueKind != JsonValueKind.Null) CheckStatusMap(statusMap, output, errors);
        if (settings.TryGetProperty(JiraFieldsBack.Setting, out var fieldsBack) && fieldsBack.ValueKind != JsonValueKind.Null) CheckFieldsBack(fieldsBack, output, errors);
        if (errors.Count > 0) throw new ValidationException(errors);
        return Task.FromResult(output.ToJsonString(Compact));
    }

    public PreparedRequest Prepare(string settingsJson, TemplateEvent @event, JsonElement data)
    {
        var template = _parsed.Count > 10_000 ? Parse(settingsJson) : _parsed.GetOrAdd(settingsJson, Parse);
        return new PreparedRequest("POST", null, "/issue", new Dictionary<string, string>(), JiraIssue.Build(template, @event, data).ToJsonString(Compact));
    }

    public MadeRecordLink? LinkOf(PreparedRequest request, string? answerExcerpt)
    {
        if (request.Body is null || answerExcerpt is null) return null;
        try
        {
            var entity = JiraIssue.EntityOf(JsonDocument.Parse(request.Body).RootElement);
            var answer = JsonDocument.Parse(answerExcerpt).RootElement;
            return entity is { } e && answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                ? new MadeRecordLink(e.Type, e.Id, ExternalType, id.GetString()!)
                : null;
        }
        catch (JsonException)
        {
            // An answer cut at the excerpt's kilobyte, or not JSON: no link rather than a wrong one.
            return null;
        }
    }

    /// <summary>entity: the record's type (lower case) and its id's template.</summary>
    internal static void CheckEntity(JsonElement entity, JsonObject output, List<ValidationError> errors)
    {
        var type = entity.ValueKind == JsonValueKind.Object && entity.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        var id = entity.ValueKind == JsonValueKind.Object && entity.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()! : "";
        if (!EntityType().IsMatch(type)) errors.Add(new("settings.entity.type", "invalid_entity", "settings.entity.type is the record's type in lower case (invoice, support_ticket)."));
        else if (id.Length == 0) errors.Add(new("settings.entity.id", "invalid_entity", "settings.entity.id is the record's id, as a template such as {{ data.invoice_id }}."));
        else if (ActionSettings.TryParse(() => JsonTemplate.Parse(JsonSerializer.Serialize(id)), "settings.entity.id", errors))
            output["entity"] = new JsonObject { ["type"] = type, ["id"] = id };
    }

    /// <summary>status_map: Jira status name → our status (1–100 characters each, at most 50); the way back needs the route's entity.</summary>
    private static void CheckStatusMap(JsonElement map, JsonObject output, List<ValidationError> errors)
    {
        if (map.ValueKind != JsonValueKind.Object || map.EnumerateObject().Count() > 50
            || map.EnumerateObject().Any(p => p.Name.Trim().Length is 0 or > 100 || p.Value.ValueKind != JsonValueKind.String || p.Value.GetString()!.Trim().Length is 0 or > 100))
            errors.Add(new("settings.status_map", "invalid_status_map", "settings.status_map maps Jira status names to our statuses: {\"Done\": \"done\"} (at most 50, each 1–100 characters)."));
        else if (output["entity"] is null)
            errors.Add(new("settings.status_map", "entity_required", "settings.status_map needs settings.entity: a Jira change is applied to the record the issue was made for."));
        else output["status_map"] = JsonNode.Parse(map.GetRawText());
    }

    /// <summary>
    /// fields_back: Jira field id → {attribute, type}, at most 50; each attribute once, and not <c>status</c>
    /// (statuses come back by the status map). Like the status map it needs the route's entity.
    /// </summary>
    private static void CheckFieldsBack(JsonElement map, JsonObject output, List<ValidationError> errors)
    {
        const string where = "settings." + JiraFieldsBack.Setting;
        if (map.ValueKind != JsonValueKind.Object || map.EnumerateObject().Count() > 50)
        {
            errors.Add(new(where, "invalid_fields_back", $"{where} maps Jira field ids to {{\"attribute\", \"type\"}}: {{\"duedate\": {{\"attribute\": \"due_at\", \"type\": \"date\"}}}} (at most 50)."));
            return;
        }
        var checkedMap = new JsonObject();
        foreach (var field in map.EnumerateObject())
        {
            var at = $"{where}.{field.Name}";
            string Member(string name) => field.Value.ValueKind == JsonValueKind.Object && field.Value.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            var (attribute, type) = (Member("attribute"), Member("type"));
            if (!FieldId().IsMatch(field.Name) || field.Name == "status")
                errors.Add(new(at, "invalid_field", $"{at}: a Jira field id such as duedate or customfield_10010 (statuses come back by settings.status_map)."));
            else if (!EntityType().IsMatch(attribute) || attribute == "status")
                errors.Add(new(at, "invalid_fields_back", $"{at}.attribute is the record's attribute in lower case (due_at, amount_cents), not status."));
            else if (!JiraFieldTypes.All.Contains(type))
                errors.Add(new(at, "invalid_fields_back", $"{at}.type is one of {string.Join(", ", JiraFieldTypes.All)}."));
            else if (checkedMap.Any(m => m.Value!["attribute"]!.GetValue<string>() == attribute))
                errors.Add(new(at, "invalid_fields_back", $"{at}: attribute {attribute} already comes from another field."));
            else checkedMap[field.Name] = new JsonObject { ["attribute"] = attribute, ["type"] = type };
        }
        if (output["entity"] is null)
            errors.Add(new(where, "entity_required", $"{where} needs settings.entity: a Jira change is applied to the record the issue was made for."));
        else output[JiraFieldsBack.Setting] = checkedMap;
    }

    /// <summary>fields: Jira field ids (system or customfield_NNNNN) → {type, value (a template)}.</summary>
    private static JsonObject Fields(JsonElement settings, List<ValidationError> errors)
    {
        var output = new JsonObject();
        if (!settings.TryGetProperty("fields", out var fields) || fields.ValueKind == JsonValueKind.Null) return output;
        if (fields.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new("settings.fields", "invalid_fields", "settings.fields maps Jira field ids to {type, value}."));
            return output;
        }
        foreach (var field in fields.EnumerateObject())
        {
            var where = $"settings.fields.{field.Name}";
            var type = field.Value.ValueKind == JsonValueKind.Object && field.Value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
            if (!FieldId().IsMatch(field.Name) || field.Name is "project" or "issuetype" or "summary" or "description")
                errors.Add(new(where, "invalid_field", $"{where}: a Jira field id such as duedate or customfield_10010 (project, issue type, summary and description have their own settings)."));
            else if (!JiraFieldTypes.All.Contains(type) || !field.Value.TryGetProperty("value", out var value))
                errors.Add(new(where, "invalid_mapping", $"{where} is {{\"type\": one of {string.Join(", ", JiraFieldTypes.All)}, \"value\": a template such as \"{{{{ data.amount }}}}\"}}."));
            else if (ActionSettings.TryParse(() => JsonTemplate.Parse(value.GetRawText()), where + ".value", errors))
                output[field.Name] = new JsonObject { ["type"] = type, ["value"] = JsonNode.Parse(value.GetRawText()) };
        }
        return output;
    }

    private static string? Matching(JsonElement settings, string name, Regex pattern, string code, string message, List<ValidationError> errors)
    {
        if (settings.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && pattern.IsMatch(value.GetString()!)) return value.GetString();
        errors.Add(new($"settings.{name}", code, message));
        return null;
    }

    private static string? TextTemplate(JsonElement settings, string name, bool required, List<ValidationError> errors)
    {
        if (!settings.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required) errors.Add(new($"settings.{name}", "required", $"settings.{name} is required: a text template such as \"Invoice {{{{ data.invoice_id }}}} is overdue\"."));
            return null;
        }
        if (value.ValueKind != JsonValueKind.String || value.GetString()!.Trim().Length == 0)
        {
            errors.Add(new($"settings.{name}", "invalid_template", $"settings.{name} is a non-empty text template."));
            return null;
        }
        return ActionSettings.TryParse(() => JsonTemplate.Parse(value.GetRawText()), $"settings.{name}", errors) ? value.GetString() : null;
    }


    private static JiraIssueTemplate Parse(string settingsJson)
    {
        var root = JsonDocument.Parse(settingsJson).RootElement;
        JsonTemplate Text(JsonElement value) => JsonTemplate.Parse(value.GetRawText());
        return new JiraIssueTemplate(
            root.GetProperty("project").GetString()!,
            root.GetProperty("issue_type").GetString()!,
            Text(root.GetProperty("summary")),
            root.TryGetProperty("description", out var d) ? Text(d) : null,
            root.TryGetProperty("labels", out var l) ? l.EnumerateArray().Select(x => x.GetString()!).ToList() : [],
            root.GetProperty("fields").EnumerateObject()
                .Select(f => new JiraFieldMapping(f.Name, f.Value.GetProperty("type").GetString()!, Text(f.Value.GetProperty("value")))).ToList(),
            root.TryGetProperty("open_url", out var u) ? PathTemplate.Parse(u.GetString()!) : null,
            root.TryGetProperty("entity", out var e)
                ? new JiraEntity(e.GetProperty("type").GetString()!, JsonTemplate.Parse(JsonSerializer.Serialize(e.GetProperty("id").GetString())))
                : null);
    }

    /// <summary>Jira project keys: an upper-case letter, then upper-case letters, digits or _ (or a numeric id).</summary>
    [GeneratedRegex("^([A-Z][A-Z0-9_]{0,254}|[0-9]{1,18})$")]
    private static partial Regex ProjectKey();

    [GeneratedRegex(@"^[^\x00-\x1f]{1,255}$")]
    private static partial Regex IssueTypeName();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex EntityType();

    [GeneratedRegex("^([a-z][a-zA-Z0-9_]{0,63}|customfield_[0-9]{1,12})$")]
    private static partial Regex FieldId();
}
