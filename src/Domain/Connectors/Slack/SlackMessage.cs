using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Integrations.Domain.Connectors.Slack;

/// <summary>
/// The Block Kit message a <c>slack.message</c> route posts (chat.postMessage's <c>text</c> and
/// <c>blocks</c>): the route's own template for the event's type, or the default every event type
/// gets — a header naming the event, its data's top-level values as fields, and an "Open in app"
/// link button when the route has an URL template. Pure: same event, same message.
/// </summary>
public static class SlackMessage
{
    /// <summary>Block Kit's limits: a header's text, a field's text, the fields of a section, a button's URL.</summary>
    public const int MaxHeaderLength = 150;
    public const int MaxFieldLength = 2000;
    public const int MaxFields = 10;
    public const int MaxUrlLength = 3000;

    /// <summary>The message (<c>channel</c>, <c>text</c>, <c>blocks</c>) as chat.postMessage's JSON body.</summary>
    /// <param name="template">The route's template for this event type (an object with <c>text</c> and/or <c>blocks</c>); null: the default.</param>
    /// <param name="openUrl">The route's "Open in app" URL template; null: no button.</param>
    /// <param name="buttons">The route's action buttons (Acknowledge, Assign to me) on the default message; null: none.</param>
    public static JsonObject Build(string channel, TemplateEvent @event, JsonElement data, JsonTemplate? template, PathTemplate? openUrl, SlackButtons? buttons = null)
    {
        var message = template?.Render(@event, data) as JsonObject ?? Default(@event, data, openUrl, buttons);
        message["channel"] = channel;
        // chat.postMessage wants a text even with blocks: it is the notification's and screen readers' fallback.
        if (message["text"] is not JsonValue) message["text"] = Title(@event.Type);
        return message;
    }

    /// <summary>The default message of an event type: header, fields, context and the optional button.</summary>
    public static JsonObject Default(TemplateEvent @event, JsonElement data, PathTemplate? openUrl, SlackButtons? buttons = null)
    {
        var title = Title(@event.Type);
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = PlainText(Cut(title, MaxHeaderLength)) },
        };
        var fields = Fields(data);
        if (fields.Count > 0) blocks.Add(new JsonObject { ["type"] = "section", ["fields"] = fields });
        blocks.Add(new JsonObject
        {
            ["type"] = "context",
            ["elements"] = new JsonArray { Markdown($"`{@event.Type}` · {@event.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC") },
        });
        var elements = new JsonArray();
        if (openUrl?.Render(@event, data) is { Length: > 0 and <= MaxUrlLength } url && Uri.TryCreate(url, UriKind.Absolute, out var link) && link.Scheme is "https" or "http")
            elements.Add(new JsonObject { ["type"] = "button", ["text"] = PlainText("Open in app"), ["url"] = link.AbsoluteUri, ["action_id"] = "open_in_app" });
        if (buttons is not null)
            foreach (var button in SlackActions.Buttons(buttons, @event, data)) elements.Add(button);
        if (elements.Count > 0) blocks.Add(new JsonObject { ["type"] = "actions", ["elements"] = elements });
        return new JsonObject { ["text"] = title, ["blocks"] = blocks };
    }

    /// <summary><c>invoice.paid</c> → "Invoice paid"; <c>order.line_item.added</c> → "Order line item added".</summary>
    public static string Title(string eventType)
    {
        var words = eventType.Replace('_', ' ').Replace('.', ' ').Replace('-', ' ').Trim();
        return words.Length == 0 ? "Event" : char.ToUpperInvariant(words[0]) + words[1..];
    }

    /// <summary>Up to <see cref="MaxFields"/> top-level values of the data (strings, numbers, booleans), in the data's order; objects and arrays are left out.</summary>
    private static JsonArray Fields(JsonElement data) =>
        new(EventFields.Scalars(data, MaxFields).Select(f => (JsonNode)Markdown(Cut($"*{Escape(Title(f.Name))}*\n{Escape(f.Value)}", MaxFieldLength))).ToArray());

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = true };

    private static JsonObject Markdown(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    /// <summary>Slack's mrkdwn control characters (&amp;, &lt;, &gt;), so data cannot make links or mentions.</summary>
    internal static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal);

    internal static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
