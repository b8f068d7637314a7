using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Connectors;
using Integrations.Domain.Connectors;
using Integrations.Domain.Connectors.Teams;

namespace Integrations.Infrastructure.Providers.Teams;

/// <summary>
/// The Teams actions: an Adaptive Card (<see cref="TeamsCard"/>) posted to the connection's
/// Workflows URL (<c>teams.workflow_card</c>, the URL itself) or by the bot to a channel
/// (<c>teams.bot_card</c>, <c>POST /v3/conversations/{conversation_id}/activities</c>). Settings:
/// <code>
/// { "conversation_id": "19:…@thread.tacv2",                         teams.bot_card only: the channel's conversation id
///   "open_url": "https://app.example.com/invoices/{{ data.id }}",   optional: the "Open in app" action (values percent-encoded)
///   "cards": { "invoice.paid": { "type": "AdaptiveCard", … } }       optional: a card template per event type; others get the default
/// }
/// </code>
/// </summary>
public sealed partial class TeamsCardAction(bool byBot) : IConnectorAction
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ConcurrentDictionary<string, ParsedSettings> _parsed = new(StringComparer.Ordinal);

    public string Name => byBot ? TeamsProviders.BotCardAction : TeamsProviders.WorkflowCardAction;

    private string[] Fields => byBot ? ["conversation_id", "open_url", "cards"] : ["open_url", "cards"];

    public Task<string> CheckSettingsAsync(JsonElement settings, CancellationToken ct)
    {
        var errors = ActionSettings.UnknownFields(settings, Name, Fields);
        var output = new JsonObject();
        if (byBot)
        {
            if (settings.TryGetProperty("conversation_id", out var id) && id.ValueKind == JsonValueKind.String && ConversationId().IsMatch(id.GetString()!))
                output["conversation_id"] = id.GetString();
            else
                errors.Add(new("settings.conversation_id", "invalid_conversation", "settings.conversation_id is the Teams channel's conversation id, such as 19:…@thread.tacv2."));
        }
        ActionSettings.CheckOpenUrl(settings, output, errors);
        var cards = ActionSettings.CheckTemplates(settings, "cards", "Adaptive Card templates", c => c.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.Array,
            "invalid_card", "is an Adaptive Card (an object with a body array).", errors);
        output["cards"] = cards;
        if (errors.Count > 0) throw new ValidationException(errors);
        return Task.FromResult(output.ToJsonString(Compact));
    }

    public PreparedRequest Prepare(string settingsJson, TemplateEvent @event, JsonElement data)
    {
        var settings = _parsed.Count > 10_000 ? Parse(settingsJson) : _parsed.GetOrAdd(settingsJson, Parse);
        var card = TeamsCard.Build(@event, data, settings.Cards.GetValueOrDefault(@event.Type), settings.OpenUrl);
        if (!byBot)
            return new PreparedRequest("POST", null, "", new Dictionary<string, string>(), TeamsCard.WorkflowsMessage(card).ToJsonString(Compact));
        var path = $"/v3/conversations/{Uri.EscapeDataString(settings.ConversationId!)}/activities";
        var activity = TeamsCard.BotActivity(card, Domain.Connectors.Slack.SlackMessage.Title(@event.Type));
        return new PreparedRequest("POST", null, path, new Dictionary<string, string>(), activity.ToJsonString(Compact));
    }

    private static ParsedSettings Parse(string settingsJson)
    {
        var root = JsonDocument.Parse(settingsJson).RootElement;
        return new ParsedSettings(
            root.TryGetProperty("conversation_id", out var id) ? id.GetString() : null,
            root.TryGetProperty("open_url", out var url) ? PathTemplate.Parse(url.GetString()!) : null,
            root.GetProperty("cards").EnumerateObject().ToDictionary(m => m.Name, m => JsonTemplate.Parse(m.Value.GetRawText()), StringComparer.Ordinal));
    }

    /// <summary>Teams conversation ids: 19:&lt;id&gt;@thread.tacv2 (channels), a:… and 8:… for chats; never a slash or a space.</summary>
    [GeneratedRegex(@"^[0-9a-zA-Z][0-9A-Za-z:@._;=\-]{2,299}$")]
    private static partial Regex ConversationId();

    private sealed record ParsedSettings(string? ConversationId, PathTemplate? OpenUrl, Dictionary<string, JsonTemplate> Cards);
}
