using System.Text.Json;
using System.Text.Json.Nodes;

namespace Integrations.Domain.Connectors.Slack;

/// <summary>The product record a message's action buttons act on: its type, and a template of its id (e.g. <c>{{ data.invoice_id }}</c>).</summary>
public sealed record SlackButtons(IReadOnlyList<string> Actions, string EntityType, JsonTemplate EntityId);

/// <summary>A click on one of our buttons, read from Slack's block_actions payload.</summary>
/// <param name="Command">The product command it becomes: <c>&lt;entity type&gt;.acknowledge</c> or <c>&lt;entity type&gt;.assign</c>.</param>
/// <param name="ActionTs">Slack's time of the click: with the user it identifies the click, so Slack's retries issue one command.</param>
public sealed record SlackButtonClick(string Action, string Command, string EntityType, string EntityId, string UserId, string? UserName,
    string? ChannelId, string? MessageTs, string ActionTs);

/// <summary>
/// The action buttons of our messages (Acknowledge, Assign to me) and how their clicks are read
/// back: each button's <c>action_id</c> names the action, its <c>value</c> the record as compact JSON.
/// </summary>
public static class SlackActions
{
    public const string Acknowledge = "acknowledge";
    public const string AssignToMe = "assign_to_me";
    public const string ActionIdPrefix = "integrations.";
    public const int MaxValueLength = 2000;

    public static readonly IReadOnlyList<string> All = [Acknowledge, AssignToMe];

    /// <summary>Only what JSON requires is escaped: the value goes into Slack's JSON, and its 2,000 characters go further.</summary>
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Label(string action) => action == Acknowledge ? "Acknowledge" : "Assign to me";

    /// <summary>The verb of the product command (<c>invoice.acknowledge</c>, <c>invoice.assign</c>).</summary>
    public static string Verb(string action) => action == Acknowledge ? "acknowledge" : "assign";

    /// <summary>The buttons of a message about this record; none when the record's id is empty or too long for Slack.</summary>
    public static IEnumerable<JsonObject> Buttons(SlackButtons buttons, TemplateEvent @event, JsonElement data)
    {
        var id = buttons.EntityId.Render(@event, data) switch
        {
            JsonValue v when v.TryGetValue<string>(out var text) => text,
            JsonValue v => v.ToJsonString(),
            _ => null,
        };
        if (string.IsNullOrEmpty(id)) yield break;
        var value = new JsonObject { ["type"] = buttons.EntityType, ["id"] = id }.ToJsonString(Compact);
        if (value.Length > MaxValueLength) yield break;
        foreach (var action in buttons.Actions)
        {
            var button = new JsonObject
            {
                ["type"] = "button",
                ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Label(action) },
                ["action_id"] = ActionIdPrefix + action,
                ["value"] = value,
            };
            if (action == Acknowledge) button["style"] = "primary";
            yield return button;
        }
    }

    /// <summary>
    /// The clicks on our buttons in a block_actions payload (docs.slack.dev/reference/interaction-payloads/block_actions-payload);
    /// other payload types, other buttons and malformed values give none.
    /// </summary>
    public static IReadOnlyList<SlackButtonClick> Clicks(JsonElement payload)
    {
        if (Text(payload, "type") != "block_actions" || !payload.TryGetProperty("actions", out var actions) || actions.ValueKind != JsonValueKind.Array) return [];
        if (!payload.TryGetProperty("user", out var user) || Text(user, "id") is not { } userId) return [];
        var userName = Text(user, "username") ?? Text(user, "name");
        var channel = payload.TryGetProperty("channel", out var c) ? Text(c, "id") : null;
        var messageTs = payload.TryGetProperty("container", out var container) ? Text(container, "message_ts") : null;
        var clicks = new List<SlackButtonClick>();
        foreach (var action in actions.EnumerateArray())
        {
            if (Text(action, "action_id") is not { } actionId || !actionId.StartsWith(ActionIdPrefix, StringComparison.Ordinal)) continue;
            var name = actionId[ActionIdPrefix.Length..];
            if (!All.Contains(name) || Text(action, "value") is not { Length: <= MaxValueLength } value || Text(action, "action_ts") is not { } actionTs) continue;
            try
            {
                var target = JsonDocument.Parse(value).RootElement;
                if (target.ValueKind != JsonValueKind.Object || Text(target, "type") is not { } type || Text(target, "id") is not { } id) continue;
                clicks.Add(new SlackButtonClick(name, $"{type}.{Verb(name)}", type, id, userId, userName, channel, messageTs, actionTs));
            }
            catch (JsonException)
            {
                // A value we did not write: not our button.
            }
        }
        return clicks;
    }

    private static string? Text(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && value.GetString() is { Length: > 0 } text ? text : null;
}
