using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Domain.Connectors.Slack;

namespace Integrations.Domain.Connectors.Teams;

/// <summary>
/// The Adaptive Card (schema 1.5) a Teams route posts, and the two envelopes Microsoft takes it in:
/// a Workflows webhook's message (<see cref="WorkflowsMessage"/>) and a Bot Connector activity
/// (<see cref="BotActivity"/>). The card is the route's own template for the event's type, or the
/// default every type gets — a heading naming the event, the data's top-level values as facts, a
/// line with the type and time, and an "Open in app" <c>Action.OpenUrl</c> when the route has an URL
/// template. Pure: same event, same card.
/// (https://adaptivecards.io/explorer/, learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-reference)
/// </summary>
public static class TeamsCard
{
    public const string Schema = "http://adaptivecards.io/schemas/adaptive-card.json";
    public const string Version = "1.5";
    public const string ContentType = "application/vnd.microsoft.card.adaptive";
    public const int MaxFacts = 10;
    public const int MaxTextLength = 2000;
    public const int MaxUrlLength = 2048;

    /// <summary>The card: the route's template rendered (an AdaptiveCard object), else the default.</summary>
    public static JsonObject Build(TemplateEvent @event, JsonElement data, JsonTemplate? template, PathTemplate? openUrl)
    {
        if (template?.Render(@event, data) is JsonObject card)
        {
            // A template may leave out the boilerplate; Teams refuses a card without type and version.
            card["type"] ??= "AdaptiveCard";
            card["version"] ??= Version;
            card["$schema"] ??= Schema;
            return card;
        }
        return Default(@event, data, openUrl);
    }

    public static JsonObject Default(TemplateEvent @event, JsonElement data, PathTemplate? openUrl)
    {
        var title = SlackMessage.Title(@event.Type);
        var body = new JsonArray
        {
            new JsonObject { ["type"] = "TextBlock", ["text"] = Escape(title), ["size"] = "Large", ["weight"] = "Bolder", ["style"] = "heading", ["wrap"] = true },
        };
        var facts = Facts(data);
        if (facts.Count > 0) body.Add(new JsonObject { ["type"] = "FactSet", ["facts"] = facts });
        body.Add(new JsonObject
        {
            ["type"] = "TextBlock",
            ["text"] = Escape($"{@event.Type} · {@event.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC"),
            ["isSubtle"] = true, ["size"] = "Small", ["wrap"] = true,
        });
        var card = new JsonObject { ["type"] = "AdaptiveCard", ["$schema"] = Schema, ["version"] = Version, ["body"] = body };
        if (openUrl?.Render(@event, data) is { Length: > 0 and <= MaxUrlLength } url && Uri.TryCreate(url, UriKind.Absolute, out var link) && link.Scheme is "https" or "http")
            card["actions"] = new JsonArray { new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open in app", ["url"] = link.AbsoluteUri } };
        return card;
    }

    /// <summary>
    /// What a Workflows "when a Teams webhook request is received" trigger takes: a message whose
    /// attachments are Adaptive Cards (contentUrl null).
    /// </summary>
    public static JsonObject WorkflowsMessage(JsonObject card) => new()
    {
        ["type"] = "message",
        ["attachments"] = new JsonArray { new JsonObject { ["contentType"] = ContentType, ["contentUrl"] = null, ["content"] = card } },
    };

    /// <summary>A Bot Connector message activity carrying the card (POST /v3/conversations/{id}/activities).</summary>
    public static JsonObject BotActivity(JsonObject card, string summary) => new()
    {
        ["type"] = "message",
        ["summary"] = summary,
        ["attachments"] = new JsonArray { new JsonObject { ["contentType"] = ContentType, ["content"] = card } },
    };

    /// <summary>Up to <see cref="MaxFacts"/> top-level scalar values of the data, in the data's order.</summary>
    private static JsonArray Facts(JsonElement data) =>
        new(EventFields.Scalars(data, MaxFacts).Select(f => (JsonNode)new JsonObject { ["title"] = Escape(Cut(SlackMessage.Title(f.Name))), ["value"] = Escape(Cut(f.Value)) }).ToArray());

    /// <summary>
    /// TextBlocks and facts render a Markdown subset: its characters are backslash-escaped
    /// (CommonMark), so event data cannot make links, emphasis or lists.
    /// </summary>
    internal static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '\\' or '*' or '_' or '[' or ']' or '`' or '~' or '<' or '>') escaped.Append('\\');
            escaped.Append(c);
        }
        return escaped.ToString();
    }

    private static string Cut(string text) => text.Length <= MaxTextLength ? text : text[..(MaxTextLength - 1)] + "…";
}
