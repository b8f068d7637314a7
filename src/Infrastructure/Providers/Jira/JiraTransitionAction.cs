using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Connectors;
using Integrations.Domain.Connectors;
using Integrations.Domain.Connectors.Jira;

namespace Integrations.Infrastructure.Providers.Jira;

/// <summary>
/// The <c>jira.transition</c> action: moves the Jira issue linked with one of our records to the Jira status
/// our record's new status maps to. Its settings:
/// <code>
/// { "entity": { "type": "invoice", "id": "{{ data.entity_id }}" },   our record (its issue is found in the identity map)
///   "status": "{{ data.changes.status.to }}",                        optional: our status (this template is the default)
///   "status_map": { "closed": "Done", "active": "In Progress" }      our status → the Jira status's name
/// }
/// </code>
/// Two requests, each a call of its own in the attempt log (<see cref="IFollowingConnectorAction"/>): "Get issue"
/// with <c>fields=status&amp;expand=transitions</c>, then, unless the issue is in that status already, "Transition
/// issue" with the transition whose <c>to.name</c> is the mapped status (<see cref="JiraTransition.Choose"/>). None
/// leading there dead-letters the first call naming the status and those reachable. The transition is a remembered
/// write (<see cref="ProviderWrite"/>), so its <c>jira:issue_updated</c> does not come back as a command.
/// </summary>
public sealed class JiraTransitionAction : IConnectorAction, ILinkedRecordAction, IFollowingConnectorAction
{
    private static readonly string[] Settings = ["entity", "status", "status_map"];
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ConcurrentDictionary<string, Parsed> _parsed = new(StringComparer.Ordinal);

    public string Name => JiraTransition.Action;

    public Task<string> CheckSettingsAsync(JsonElement settings, CancellationToken ct)
    {
        var errors = ActionSettings.UnknownFields(settings, "jira.transition", Settings);
        var output = new JsonObject();
        if (settings.TryGetProperty("entity", out var entity) && entity.ValueKind != JsonValueKind.Null) JiraIssueAction.CheckEntity(entity, output, errors);
        else errors.Add(new("settings.entity", "required", "settings.entity is required: the record whose linked issue moves, {\"type\": \"invoice\", \"id\": \"{{ data.entity_id }}\"}."));
        var status = settings.TryGetProperty("status", out var s) && s.ValueKind != JsonValueKind.Null ? s : (JsonElement?)null;
        if (status is { } given && (given.ValueKind != JsonValueKind.String || given.GetString()!.Trim().Length == 0))
            errors.Add(new("settings.status", "invalid_template", "settings.status is a text template giving our status, such as \"{{ data.changes.status.to }}\"."));
        else
        {
            var text = status?.GetString() ?? JiraTransition.DefaultStatusTemplate;
            if (ActionSettings.TryParse(() => JsonTemplate.Parse(JsonSerializer.Serialize(text)), "settings.status", errors)) output["status"] = text;
        }
        if (!settings.TryGetProperty("status_map", out var map) || map.ValueKind == JsonValueKind.Null)
            errors.Add(new("settings.status_map", "required", "settings.status_map is required: our statuses → Jira status names, {\"closed\": \"Done\"}."));
        else if (!JiraTransition.IsValidStatusMap(map))
            errors.Add(new("settings.status_map", "invalid_status_map",
                $"settings.status_map maps our statuses to Jira status names: {{\"closed\": \"Done\"}} (1 to {JiraTransition.MaxStatusMapEntries}, each 1–{JiraTransition.MaxStatusLength} characters)."));
        else output["status_map"] = JsonNode.Parse(map.GetRawText());
        if (errors.Count > 0) throw new ValidationException(errors);
        return Task.FromResult(output.ToJsonString(Compact));
    }

    /// <summary>Not used: the runtime prepares calls of a linked-record action with <see cref="PrepareFor"/>.</summary>
    public PreparedRequest Prepare(string settingsJson, TemplateEvent @event, JsonElement data) =>
        throw new InvalidOperationException("jira.transition needs the linked issue: the routing step calls PrepareFor.");

    public LinkedRecordRef? RecordOf(string settingsJson, TemplateEvent @event, JsonElement data)
    {
        var route = Of(settingsJson);
        if (JiraTransition.JiraStatus(route.StatusMap, Text(route.Status.Render(@event, data))) is null) return null;
        return Text(route.EntityId.Render(@event, data)) is { Length: > 0 and <= 255 } id ? new LinkedRecordRef(route.EntityType, id, JiraIssueUpdate.ExternalType) : null;
    }

    public PreparedRequest PrepareFor(string settingsJson, TemplateEvent @event, JsonElement data, string externalId)
    {
        var route = Of(settingsJson);
        var target = JiraTransition.JiraStatus(route.StatusMap, Text(route.Status.Render(@event, data)))
            ?? throw new InvalidOperationException("PrepareFor is called only for an event RecordOf named a record for.");
        return new PreparedRequest("GET", null, $"/issue/{Uri.EscapeDataString(externalId)}?fields=status&expand=transitions", new Dictionary<string, string>(), null)
        {
            Carry = new JsonObject { ["issue"] = externalId, ["to"] = target }.ToJsonString(Compact),
        };
    }

    public FollowUp After(PreparedRequest request, string? answer)
    {
        // The transition itself answered 204: the work is done.
        if (request.Method != "GET" || request.Carry is null) return new FollowUp.None();
        var carry = JsonNode.Parse(request.Carry)!;
        string issue = carry["issue"]!.GetValue<string>(), target = carry["to"]!.GetValue<string>();
        var choice = ParseAnswer(answer) is { } issueAnswer ? JiraTransition.Choose(issueAnswer, target) : new TransitionChoice.Unreadable();
        return choice switch
        {
            TransitionChoice.Take take => new FollowUp.Next(
                new PreparedRequest("POST", null, $"/issue/{Uri.EscapeDataString(issue)}/transitions", new Dictionary<string, string>(), JiraTransition.TransitionBody(take.Id)),
                new ProviderWrite(JiraIssueUpdate.ExternalType, issue, "status", take.ToStatus)),
            TransitionChoice.NoneLeadsThere none => new FollowUp.Refused(JiraTransition.NoTransitionReason(issue, target, none)),
            TransitionChoice.Unreadable => new FollowUp.Refused(
                $"Jira's answer for issue {issue} was not an issue with its transitions (or larger than {IFollowingConnectorAction.MaxAnswerBytes / 1024} KiB): no transition to \"{target}\" could be chosen."),
            _ => new FollowUp.None(),
        };
    }

    private static JsonElement? ParseAnswer(string? answer)
    {
        if (answer is null) return null;
        try
        {
            return JsonDocument.Parse(answer).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonNode? rendered) => rendered is JsonValue value ? value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>().Trim(),
        JsonValueKind.Number => value.ToJsonString(),
        _ => null,
    } : null;

    private Parsed Of(string settingsJson) => _parsed.Count > 10_000 ? ParseSettings(settingsJson) : _parsed.GetOrAdd(settingsJson, ParseSettings);

    private static Parsed ParseSettings(string settingsJson)
    {
        var root = JsonDocument.Parse(settingsJson).RootElement;
        var entity = root.GetProperty("entity");
        return new Parsed(
            entity.GetProperty("type").GetString()!,
            JsonTemplate.Parse(JsonSerializer.Serialize(entity.GetProperty("id").GetString())),
            JsonTemplate.Parse(JsonSerializer.Serialize(root.GetProperty("status").GetString())),
            root.GetProperty("status_map").EnumerateObject().ToDictionary(p => p.Name.Trim(), p => p.Value.GetString()!.Trim(), StringComparer.Ordinal));
    }

    private sealed record Parsed(string EntityType, JsonTemplate EntityId, JsonTemplate Status, IReadOnlyDictionary<string, string> StatusMap);
}
