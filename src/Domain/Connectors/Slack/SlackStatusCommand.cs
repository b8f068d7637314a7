using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Integrations.Domain.Connectors.Slack;

/// <summary>What <c>/&lt;app&gt; status [type id]</c> asked: the record, or none (the usage is answered).</summary>
public sealed record SlackStatusRequest(string? EntityType, string? EntityId);

/// <summary>
/// The slash command <c>/&lt;app&gt; status &lt;type&gt; &lt;id&gt;</c> (also <c>&lt;type&gt;/&lt;id&gt;</c> or
/// <c>&lt;type&gt;:&lt;id&gt;</c>): parsing the text Slack sends and the ephemeral answer (only the
/// user who asked sees it) built from the record's latest state. Pure.
/// </summary>
public static class SlackStatusCommand
{
    public const int MaxFields = 10;

    /// <summary>The request in the command's text, or null when it is not a status command.</summary>
    public static SlackStatusRequest? Parse(string? text)
    {
        var words = (text ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0 || !words[0].Equals("status", StringComparison.OrdinalIgnoreCase)) return null;
        var rest = words.Skip(1).ToList();
        if (rest.Count == 1 && rest[0].IndexOfAny(['/', ':']) is > 0 and var at && at < rest[0].Length - 1)
            return new SlackStatusRequest(rest[0][..at].ToLowerInvariant(), rest[0][(at + 1)..]);
        return rest.Count == 2 ? new SlackStatusRequest(rest[0].ToLowerInvariant(), rest[1]) : new SlackStatusRequest(null, null);
    }

    public static JsonObject Usage(string command) =>
        Ephemeral($"Usage: `{command} status <type> <id>`, e.g. `{command} status invoice in_1001`.");

    public static JsonObject NotFound(string type, string id) => Ephemeral($"No {Escape(type)} `{Escape(id)}` is known here.");

    /// <summary>The acknowledgement when the answer follows on the command's response_url.</summary>
    public static JsonObject LookingUp(string type, string id) => Ephemeral($"Looking up {Escape(type)} `{Escape(id)}`…");

    /// <summary>When the answer is slow and cannot follow (no usable response_url, or too many waiting).</summary>
    public static JsonObject TryAgain(string type, string id) =>
        Ephemeral($"Looking up {Escape(type)} `{Escape(id)}` is taking too long right now. Please try again in a moment.");

    /// <summary>The follow-up that replaces <see cref="LookingUp"/> when the lookup failed after all.</summary>
    public static JsonObject Failed(string type, string id) =>
        Replacing(Ephemeral($"Sorry, {Escape(type)} `{Escape(id)}` could not be looked up. Please try again."));

    /// <summary>A follow-up posted to response_url replaces the acknowledgement instead of adding a second message.</summary>
    public static JsonObject Replacing(JsonObject answer)
    {
        answer["replace_original"] = true;
        return answer;
    }

    /// <summary>The record's answer: a header, its status and last change, and up to ten of its scalar attributes.</summary>
    public static JsonObject Found(string type, string id, string status, DateTimeOffset updatedAt, JsonElement attributes)
    {
        var title = $"{SlackMessage.Title(type)} {id}";
        var fields = new JsonArray
        {
            Markdown($"*Status*\n{Escape(status)}"),
            Markdown($"*Updated*\n{updatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC"),
        };
        if (attributes.ValueKind == JsonValueKind.Object)
            foreach (var attribute in attributes.EnumerateObject())
            {
                if (fields.Count == MaxFields) break;
                var value = attribute.Value.ValueKind switch
                {
                    JsonValueKind.String => attribute.Value.GetString()!,
                    JsonValueKind.Number => attribute.Value.GetRawText(),
                    JsonValueKind.True => "yes",
                    JsonValueKind.False => "no",
                    _ => null,
                };
                if (value is not null) fields.Add(Markdown($"*{Escape(SlackMessage.Title(attribute.Name))}*\n{Escape(Cut(value, 500))}"));
            }
        var answer = Ephemeral(title);
        answer["blocks"] = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Cut(title, SlackMessage.MaxHeaderLength) } },
            new JsonObject { ["type"] = "section", ["fields"] = fields },
        };
        return answer;
    }

    private static JsonObject Ephemeral(string text) => new() { ["response_type"] = "ephemeral", ["text"] = text };

    private static JsonObject Markdown(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    private static string Escape(string text) => SlackMessage.Escape(text);

    private static string Cut(string text, int max) => SlackMessage.Cut(text, max);
}
