using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Integrations.Fakes.Jira;

/// <summary>
/// A changelog item for a field an edit changed, as Jira writes them in <c>jira:issue_updated</c> deliveries and
/// "Get changelogs" (developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-changelog-get,
/// "ChangeDetails": <c>field</c> the field's name, <c>fieldtype</c> <c>jira</c> or <c>custom</c>, <c>fieldId</c>,
/// <c>from</c>/<c>to</c> "the details of the original/new value", <c>fromString</c>/<c>toString</c> the same "as a string").
/// Per kind of field: an option (<c>{"value"}</c>, priority's <c>{"name"}</c>) has its id in from/to and its value in
/// the strings; a user (<c>{"accountId"}</c>) its account id in from/to and the display name in the strings; a date
/// <c>2026-12-31</c> in from/to and <c>2026-12-31 00:00:00.0</c> in the strings; a date-time its ISO value in from/to;
/// text, numbers and labels (space-separated) only in the strings, from/to null. A cleared field is null in both.
/// The fake has no field configuration, so it tells the kinds apart by the value's JSON shape.
/// </summary>
public static partial class JiraChangelog
{
    public static JsonObject Item(string fieldId, JsonNode? before, JsonNode? after)
    {
        var (from, fromString) = Values(before);
        var (to, toString) = Values(after);
        return new JsonObject
        {
            ["field"] = fieldId, ["fieldtype"] = fieldId.StartsWith("customfield_", StringComparison.Ordinal) ? "custom" : "jira", ["fieldId"] = fieldId,
            ["from"] = from, ["fromString"] = fromString, ["to"] = to, ["toString"] = toString,
        };
    }

    private static (string? Id, string? Text) Values(JsonNode? value)
    {
        switch (value)
        {
            case null:
                return (null, null);
            case JsonObject o when Text(o["accountId"]) is { } account:
                return (account, DisplayName(account));
            case JsonObject o when (Text(o["value"]) ?? Text(o["name"])) is { } option:
                return (Text(o["id"]) ?? OptionId(option), option);
            case JsonArray labels:
                return (null, string.Join(' ', labels.Select(Text).OfType<string>()));
            case JsonValue v when Text(v) is { } text && Date().IsMatch(text):
                return (text, text + " 00:00:00.0");
            case JsonValue v when Text(v) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) && text.Contains('T'):
                return (text, at.UtcDateTime.ToString("dd/MMM/yy h:mm tt", CultureInfo.InvariantCulture));
            case JsonValue v:
                return (null, Text(v) ?? v.ToJsonString());
            default:
                return (null, value.ToJsonString());
        }
    }

    /// <summary>The fake has no user directory: a display name that is not the account id, as Jira's is not.</summary>
    public static string DisplayName(string accountId) => "User " + accountId[..Math.Min(8, accountId.Length)];

    /// <summary>A stable option id for an option given by its value only (Jira's options always have ids).</summary>
    private static string OptionId(string value) => (10100 + value.Sum(c => c) % 900).ToString(CultureInfo.InvariantCulture);

    private static string? Text(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    private static partial Regex Date();
}
