using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Connectors;
using Integrations.Domain.Common;
using Integrations.Domain.Connectors;
using Integrations.Domain.Connectors.Slack;

namespace Integrations.Infrastructure.Providers.Slack;

/// <summary>
/// The <c>slack.message</c> action: posts a Block Kit message (<see cref="SlackMessage"/>) to one
/// channel with chat.postMessage. Its settings:
/// <code>
/// { "channel": "C0123ABCD",                                     the channel's id (conversations.list)
///   "open_url": "https://app.example.com/invoices/{{ data.id }}", optional: the "Open in app" button (values percent-encoded)
///   "messages": { "invoice.paid": { "text": "…", "blocks": [ … ] } } optional: a template per event type; others get the default
///   "buttons": ["acknowledge", "assign_to_me"],                  optional: action buttons on the default message, clicks become product commands
///   "entity": { "type": "invoice", "id": "{{ data.invoice_id }}" } the record the buttons act on (required with buttons)
/// }
/// </code>
/// </summary>
public sealed partial class SlackMessageAction : IConnectorAction
{
    private static readonly string[] Fields = ["channel", "open_url", "messages", "buttons", "entity"];
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ConcurrentDictionary<string, ParsedSettings> _parsed = new(StringComparer.Ordinal);

    public string Name => SlackProvider.MessageAction;

    public Task<string> CheckSettingsAsync(JsonElement settings, CancellationToken ct)
    {
        var errors = ActionSettings.UnknownFields(settings, "slack.message", Fields);

        var output = new JsonObject();
        if (settings.TryGetProperty("channel", out var channel) && channel.ValueKind == JsonValueKind.String && ChannelId().IsMatch(channel.GetString()!))
            output["channel"] = channel.GetString();
        else
            errors.Add(new("settings.channel", "invalid_channel", "settings.channel is a Slack channel id such as C0123ABCD (GET /api/v1/connections/{id}/slack/channels lists them)."));

        ActionSettings.CheckOpenUrl(settings, output, errors);

        var messages = ActionSettings.CheckTemplates(settings, "messages", "message templates",
            m => m.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String || m.TryGetProperty("blocks", out var b) && b.ValueKind == JsonValueKind.Array,
            "invalid_message", "is an object with text (a string) and/or blocks (Block Kit blocks).", errors);
        output["messages"] = messages;
        CheckButtons(settings, output, errors);
        if (errors.Count > 0) throw new ValidationException(errors);
        return Task.FromResult(output.ToJsonString(Compact));
    }

    public PreparedRequest Prepare(string settingsJson, TemplateEvent @event, JsonElement data)
    {
        var settings = _parsed.Count > 10_000 ? Parse(settingsJson) : _parsed.GetOrAdd(settingsJson, Parse);
        var body = SlackMessage.Build(settings.Channel, @event, data, settings.Messages.GetValueOrDefault(@event.Type), settings.OpenUrl,
            settings.Buttons);
        return new PreparedRequest("POST", null, "/chat.postMessage", new Dictionary<string, string>(), body.ToJsonString(Compact))
        {
            PaceKey = settings.Channel,
        };
    }

    /// <summary>buttons: known actions, each once; entity: the record's type (a command name's first part) and its id's template.</summary>
    private static void CheckButtons(JsonElement settings, JsonObject output, List<ValidationError> errors)
    {
        if (!settings.TryGetProperty("buttons", out var buttons) || buttons.ValueKind == JsonValueKind.Null) return;
        var names = buttons.ValueKind == JsonValueKind.Array ? buttons.EnumerateArray().Select(b => b.ValueKind == JsonValueKind.String ? b.GetString()! : "").ToList() : null;
        if (names is null || names.Count == 0 || names.Any(n => !SlackActions.All.Contains(n)) || names.Distinct().Count() != names.Count)
        {
            errors.Add(new("settings.buttons", "invalid_buttons", $"settings.buttons lists each of {string.Join(", ", SlackActions.All)} at most once."));
            return;
        }
        var entity = settings.TryGetProperty("entity", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
        var type = entity.ValueKind == JsonValueKind.Object && entity.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        var id = entity.ValueKind == JsonValueKind.Object && entity.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()! : "";
        if (!EntityType().IsMatch(type)) errors.Add(new("settings.entity.type", "invalid_entity", "settings.entity.type is the record's type in lower case (invoice, support_ticket): the product command is <type>.acknowledge or <type>.assign."));
        if (id.Length == 0) errors.Add(new("settings.entity.id", "invalid_entity", "settings.entity.id is the record's id, as a template such as {{ data.invoice_id }}."));
        else if (ActionSettings.TryParse(() => JsonTemplate.Parse(JsonSerializer.Serialize(id)), "settings.entity.id", errors))
        {
            output["buttons"] = new JsonArray(names.Select(n => (JsonNode)n!).ToArray());
            output["entity"] = new JsonObject { ["type"] = type, ["id"] = id };
        }
    }

    private static ParsedSettings Parse(string settingsJson)
    {
        var root = JsonDocument.Parse(settingsJson).RootElement;
        var messages = root.GetProperty("messages").EnumerateObject().ToDictionary(m => m.Name, m => JsonTemplate.Parse(m.Value.GetRawText()), StringComparer.Ordinal);
        var buttons = root.TryGetProperty("buttons", out var b) && root.TryGetProperty("entity", out var entity)
            ? new SlackButtons(b.EnumerateArray().Select(x => x.GetString()!).ToList(), entity.GetProperty("type").GetString()!,
                JsonTemplate.Parse(JsonSerializer.Serialize(entity.GetProperty("id").GetString())))
            : null;
        return new ParsedSettings(root.GetProperty("channel").GetString()!,
            root.TryGetProperty("open_url", out var url) ? PathTemplate.Parse(url.GetString()!) : null, messages, buttons);
    }

    /// <summary>Public channels (C…), private ones and group DMs (G…), DMs (D…).</summary>
    [GeneratedRegex("^[CGD][A-Z0-9]{2,30}$")]
    private static partial Regex ChannelId();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex EntityType();

    private sealed record ParsedSettings(string Channel, PathTemplate? OpenUrl, Dictionary<string, JsonTemplate> Messages, SlackButtons? Buttons);
}
