using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Integrations.Domain.Connectors.Jira;

/// <summary>
/// Atlassian Document Format (developer.atlassian.com/cloud/jira/platform/apis/document/structure/):
/// Jira Cloud's REST API v3 takes rich text (an issue's description) as a <c>doc</c> node, version 1,
/// whose content is block nodes (paragraph, bulletList …) holding inline nodes (text with marks,
/// hardBreak). Text nodes may not be empty. Pure: same input, same document.
/// </summary>
public static class JiraDocument
{
    /// <summary>Jira's limit for a description's text; longer text is cut (an issue with a cut description beats a refused one).</summary>
    public const int MaxTextLength = 32_000;

    /// <summary>Top-level fields the default description lists.</summary>
    public const int MaxFields = 20;

    /// <summary>Plain text as a document: blank lines separate paragraphs, a single line break is a hardBreak.</summary>
    public static JsonObject FromText(string text)
    {
        var content = new JsonArray();
        var normalised = Cut(text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'), MaxTextLength);
        foreach (var block in normalised.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var inline = new JsonArray();
            foreach (var line in block.Split('\n'))
            {
                if (inline.Count > 0) inline.Add(new JsonObject { ["type"] = "hardBreak" });
                if (line.Length > 0) inline.Add(Text(line));
            }
            // A block of line breaks only: nothing to show.
            if (inline.Any(n => n!["type"]!.GetValue<string>() == "text")) content.Add(Paragraph(inline));
        }
        return Doc(content);
    }

    /// <summary>
    /// The description an event gets when its route has no description template: a paragraph naming
    /// the event and its time, the data's top-level scalar values as a bullet list ("Field: value", the
    /// name in bold), and an "Open in app" link when the route has one.
    /// </summary>
    public static JsonObject Default(TemplateEvent @event, JsonElement data, string? openUrl)
    {
        var content = new JsonArray
        {
            Paragraph(new JsonArray(Text(@event.Type, Mark("code")),
                Text(" at " + @event.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC"))),
        };
        var items = new JsonArray();
        if (data.ValueKind == JsonValueKind.Object)
            foreach (var field in data.EnumerateObject())
            {
                if (items.Count == MaxFields) break;
                if (Scalar(field.Value) is not { Length: > 0 } value) continue;
                items.Add(new JsonObject
                {
                    ["type"] = "listItem",
                    ["content"] = new JsonArray(Paragraph(new JsonArray(Text(Label(field.Name) + ":", Mark("strong")), Text(" " + Cut(value, 1000))))),
                });
            }
        if (items.Count > 0) content.Add(new JsonObject { ["type"] = "bulletList", ["content"] = items });
        if (openUrl is { Length: > 0 } && Uri.TryCreate(openUrl, UriKind.Absolute, out var link) && link.Scheme is "https" or "http")
            content.Add(Paragraph(new JsonArray(Text("Open in app", new JsonObject { ["type"] = "link", ["attrs"] = new JsonObject { ["href"] = link.AbsoluteUri } }))));
        return Doc(content);
    }

    /// <summary>The text of a document (its text nodes, paragraphs on their own lines): what a Jira description says, for comparisons.</summary>
    public static string PlainText(JsonElement doc)
    {
        var lines = new List<string>();
        Walk(doc, lines);
        return string.Join('\n', lines);
    }

    /// <summary><c>invoice_id</c> → "Invoice id".</summary>
    public static string Label(string name)
    {
        var words = name.Replace('_', ' ').Replace('-', ' ').Trim();
        return words.Length == 0 ? name : char.ToUpperInvariant(words[0]) + words[1..];
    }

    private static void Walk(JsonElement node, List<string> lines)
    {
        if (node.ValueKind != JsonValueKind.Object) return;
        var type = node.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type == "paragraph" || type == "heading")
        {
            var text = node.TryGetProperty("content", out var inline) && inline.ValueKind == JsonValueKind.Array
                ? string.Concat(inline.EnumerateArray().Select(i => i.TryGetProperty("type", out var it) && it.GetString() == "hardBreak" ? "\n"
                    : i.TryGetProperty("text", out var x) && x.ValueKind == JsonValueKind.String ? x.GetString() : ""))
                : "";
            lines.Add(text);
            return;
        }
        if (node.TryGetProperty("content", out var children) && children.ValueKind == JsonValueKind.Array)
            foreach (var child in children.EnumerateArray()) Walk(child, lines);
    }

    private static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        _ => null,
    };

    private static JsonObject Doc(JsonArray content) => new() { ["type"] = "doc", ["version"] = 1, ["content"] = content };

    private static JsonObject Paragraph(JsonArray inline) => new() { ["type"] = "paragraph", ["content"] = inline };

    private static JsonObject Mark(string type) => new() { ["type"] = type };

    private static JsonObject Text(string text, JsonObject? mark = null)
    {
        var node = new JsonObject { ["type"] = "text", ["text"] = text };
        if (mark is not null) node["marks"] = new JsonArray(mark);
        return node;
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
