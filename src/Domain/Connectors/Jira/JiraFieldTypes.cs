using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Integrations.Domain.Connectors.Jira;

/// <summary>
/// How one of our values becomes the value of a Jira field, and back: Jira's REST API v3 wants each
/// field in its type's shape (developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/,
/// "Create issue"; custom fields by their <c>customfield_NNNNN</c> id):
/// <list type="table">
/// <item><term>string</term><description>text (numbers and yes/no written as text)</description></item>
/// <item><term>number</term><description>a JSON number (a numeric string is read)</description></item>
/// <item><term>date</term><description><c>yyyy-MM-dd</c> (from a date or an ISO 8601 instant, taken in UTC)</description></item>
/// <item><term>datetime</term><description>ISO 8601 with offset, <c>yyyy-MM-ddTHH:mm:ss.fff+0000</c> as Jira writes it</description></item>
/// <item><term>option</term><description><c>{"value": …}</c> (a select list's option)</description></item>
/// <item><term>user</term><description><c>{"accountId": …}</c> (Atlassian account id)</description></item>
/// <item><term>labels</term><description>an array of strings without spaces (a string is one label)</description></item>
/// </list>
/// A value that cannot be converted is null (the field is left out rather than the issue refused).
/// </summary>
public static class JiraFieldTypes
{
    public const string String = "string";
    public const string Number = "number";
    public const string Date = "date";
    public const string DateTime = "datetime";
    public const string Option = "option";
    public const string User = "user";
    public const string Labels = "labels";

    public static readonly IReadOnlyList<string> All = [String, Number, Date, DateTime, Option, User, Labels];

    /// <summary>Jira's own text limit for a single-line text field.</summary>
    public const int MaxStringLength = 255;

    /// <summary>Our value (a rendered template value) as the Jira field's value; null when it does not convert.</summary>
    public static JsonNode? ToJira(string type, JsonNode? value)
    {
        if (value is null) return null;
        return type switch
        {
            String => Text(value) is { Length: > 0 } s ? JsonValue.Create(s.Length > MaxStringLength ? s[..MaxStringLength] : s) : null,
            Number => NumberOf(value) is { } n ? JsonValue.Create(n) : null,
            Date => Instant(value) is { } d ? JsonValue.Create(d.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) : null,
            DateTime => Instant(value) is { } t ? JsonValue.Create(t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture)) : null,
            Option => Text(value) is { Length: > 0 } o ? new JsonObject { ["value"] = o } : null,
            User => Text(value) is { Length: > 0 } u ? new JsonObject { ["accountId"] = u } : null,
            Labels => LabelsOf(value),
            _ => null,
        };
    }

    /// <summary>A Jira field's value (from an issue or a webhook's changelog) as ours; null when it does not convert.</summary>
    public static JsonNode? FromJira(string type, JsonElement value) => type switch
    {
        String => value.ValueKind == JsonValueKind.String ? JsonValue.Create(value.GetString()) : null,
        Number => value.ValueKind == JsonValueKind.Number ? JsonValue.Create(value.GetDecimal())
            : value.ValueKind == JsonValueKind.String && decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n) : null,
        Date or DateTime => value.ValueKind == JsonValueKind.String && ParseInstant(value.GetString()!) is { } at
            ? JsonValue.Create(type == Date ? at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture))
            : null,
        Option => Member(value, "value"),
        User => Member(value, "accountId"),
        Labels => value.ValueKind == JsonValueKind.Array
            ? new JsonArray(value.EnumerateArray().Where(l => l.ValueKind == JsonValueKind.String).Select(l => (JsonNode?)JsonValue.Create(l.GetString())).ToArray())
            : null,
        _ => null,
    };

    /// <summary>
    /// The new value of a changelog item (a <c>jira:issue_updated</c> delivery's <c>changelog.items[]</c>,
    /// Jira's "ChangeDetails": <c>to</c> "the details of the new value", <c>toString</c> "the new value as a
    /// string") as ours; null when it does not convert or the field was cleared. Which member holds the value
    /// depends on the field: <c>to</c> is an id or a machine value where the field has one (a date
    /// <c>2026-12-31</c>, a date-time, a user's account id; for select lists and priority the option's id, of
    /// no use to us), <c>toString</c> is the displayed text (text, numbers, the option's value, labels
    /// separated by spaces; for a user the display name, for a date <c>2026-12-31 00:00:00.0</c>).
    /// </summary>
    public static JsonNode? FromChangelog(string type, string? to, string? toString) => type switch
    {
        String or Number => toString is { Length: > 0 } ? FromJira(type, JsonSerializer.SerializeToElement(toString)) : null,
        Date or DateTime => (to is { Length: > 0 } ? to : toString) is { Length: > 0 } at ? FromJira(type, JsonSerializer.SerializeToElement(at)) : null,
        Option => toString is { Length: > 0 } ? JsonValue.Create(toString) : null,
        User => to is { Length: > 0 } ? JsonValue.Create(to) : null,
        Labels => toString?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } labels
            ? new JsonArray(labels.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray())
            : null,
        _ => null,
    };

    /// <summary>A label as Jira accepts it: no whitespace (replaced by '_'), at most 255 characters; empty: none.</summary>
    public static string? Label(string text)
    {
        var label = string.Concat(text.Trim().Select(c => char.IsWhiteSpace(c) ? '_' : c));
        return label.Length == 0 ? null : label.Length > MaxStringLength ? label[..MaxStringLength] : label;
    }

    private static JsonNode? Member(JsonElement value, string name) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? JsonValue.Create(v.GetString()) : null;

    private static JsonArray? LabelsOf(JsonNode value)
    {
        var items = value is JsonArray array ? array.Select(Text) : [Text(value)];
        var labels = items.OfType<string>().Select(Label).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        return labels.Count == 0 ? null : new JsonArray(labels.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray());
    }

    private static string? Text(JsonNode? value) => value?.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.Number => value.ToJsonString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private static decimal? NumberOf(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.Number => decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null,
        JsonValueKind.String => decimal.TryParse(value.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : null,
        _ => null,
    };

    private static DateTimeOffset? Instant(JsonNode value) => value.GetValueKind() == JsonValueKind.String ? ParseInstant(value.GetValue<string>()) : null;

    /// <summary>An ISO 8601 date or instant; Jira writes offsets without a colon (+0000), which .NET reads too.</summary>
    private static DateTimeOffset? ParseInstant(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var at) ? at : null;
}
