using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Integrations.Domain.Connectors.Slack;

namespace Integrations.Domain.Connectors.Teams;

/// <summary>
/// The bot's answer to <c>@bot status &lt;type&gt; &lt;id&gt;</c> (as Slack's slash command, whose
/// parser it shares): the text of a message activity without its mentions, and the card replying
/// with the record's latest state. Pure.
/// </summary>
public static partial class TeamsStatusReply
{
    public const int MaxFacts = 10;

    /// <summary>A message activity's text without its <c>&lt;at&gt;…&lt;/at&gt;</c> mentions; null for other activities.</summary>
    public static string? CommandText(JsonElement activity) =>
        activity.ValueKind == JsonValueKind.Object && activity.TryGetProperty("type", out var type) && type.GetString() == "message"
        && activity.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
            ? Mention().Replace(text.GetString()!, " ").Trim()
            : null;

    public static JsonObject Usage() => Text("Usage: status <type> <id>, e.g. status invoice in_1001.");

    public static JsonObject NotFound(string type, string id) => Text($"No {type} {id} is known here.");

    /// <summary>A heading, the status and last change, and the record's scalar attributes as facts.</summary>
    public static JsonObject Found(string type, string id, string status, DateTimeOffset updatedAt, JsonElement attributes)
    {
        var facts = new JsonArray
        {
            Fact("Status", status),
            Fact("Updated", updatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC"),
        };
        foreach (var (name, value) in EventFields.Scalars(attributes, MaxFacts - facts.Count)) facts.Add(Fact(SlackMessage.Title(name), value));
        return Card(new JsonObject { ["type"] = "TextBlock", ["text"] = TeamsCard.Escape($"{SlackMessage.Title(type)} {id}"), ["size"] = "Large", ["weight"] = "Bolder", ["wrap"] = true },
            new JsonObject { ["type"] = "FactSet", ["facts"] = facts });
    }

    private static JsonObject Text(string text) => Card(new JsonObject { ["type"] = "TextBlock", ["text"] = TeamsCard.Escape(text), ["wrap"] = true });

    private static JsonObject Fact(string title, string value) => new() { ["title"] = TeamsCard.Escape(title), ["value"] = TeamsCard.Escape(value) };

    private static JsonObject Card(params JsonNode[] body) =>
        new() { ["type"] = "AdaptiveCard", ["$schema"] = TeamsCard.Schema, ["version"] = TeamsCard.Version, ["body"] = new JsonArray(body) };

    [GeneratedRegex("<at>.*?</at>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Mention();
}
