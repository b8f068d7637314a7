using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Connections;
using Integrations.Infrastructure.Providers.Http;

namespace Integrations.Infrastructure.Schedules;

/// <summary>
/// The configuration of an <c>http_poll</c> job, as stored:
/// <code>
/// { "path": "/orders",              below the connection's base URL (with its credentials), or
///   "url": "https://x.example/feed", an absolute URL under the webhooks' SSRF rules
///   "items_path": "data",            where the items are in the JSON answer (dots for nesting); absent: the answer itself, or its "data"
///   "cursor_field": "updated_at",    required: the item field that grows (a number, or text such as an RFC 3339 time in one format)
///   "id_field": "id",                the item's id (default id)
///   "cursor_param": "updated_since", optional: the query parameter that tells the endpoint the checkpoint
///   "max_items": 500 }               most items emitted per run (1 to 1000; the rest come next run)
/// </code>
/// </summary>
public sealed record HttpPollConfig(string? Path, string? Url, string? ItemsPath, string CursorField, string IdField, string? CursorParam, int MaxItems)
{
    public const int MaxItemsLimit = 1000;

    private static readonly string[] Fields = ["path", "url", "items_path", "cursor_field", "id_field", "cursor_param", "max_items"];

    public static HttpPollConfig Parse(string json) => JsonSerializer.Deserialize<HttpPollConfig>(json, Application.Common.JsonDefaults.Options)!;

    /// <summary>The configuration checked (fields under job.config) and normalized, as JSON.</summary>
    public static async Task<string> CheckAsync(JsonElement config, ConnectionState? connection, IUrlSafetyChecker urls, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        foreach (var field in config.EnumerateObject().Where(p => !Fields.Contains(p.Name)))
            errors.Add(new($"job.config.{field.Name}", "unknown_field", $"job.config.{field.Name} is not a setting of http_poll ({string.Join(", ", Fields)})."));
        var output = new JsonObject();
        var hasUrl = config.TryGetProperty("url", out var url);
        var hasPath = config.TryGetProperty("path", out var path);
        if (hasUrl == hasPath)
            errors.Add(new("job.config", "url_or_path", "Give job.config.path (below the connection's base URL) or job.config.url (an absolute URL), not both."));
        else if (hasPath && connection is null)
            errors.Add(new("job.config.path", "connection_required", "job.config.path is below a connection's base URL: give connection_id, or use job.config.url."));
        else if (hasPath && path.ValueKind == JsonValueKind.String && path.GetString()!.Contains("{{", StringComparison.Ordinal))
            errors.Add(new("job.config.path", "invalid_path", "job.config.path takes no placeholders."));
        else if (hasPath && HttpRequestAction.CheckPath(path, errors, "job.config.path") is { } checkedPath)
            output["path"] = checkedPath;
        else if (hasUrl && await HttpRequestAction.CheckUrlAsync(urls, url, errors, ct, "job.config.url") is { } checkedUrl)
            output["url"] = checkedUrl;

        output["items_path"] = Text(config, "items_path", errors, required: false);
        output["cursor_field"] = Text(config, "cursor_field", errors, required: true);
        output["id_field"] = Text(config, "id_field", errors, required: false) ?? "id";
        output["cursor_param"] = Text(config, "cursor_param", errors, required: false);
        var maxItems = 500;
        if (config.TryGetProperty("max_items", out var max) && (!max.TryGetInt32(out maxItems) || maxItems is < 1 or > MaxItemsLimit))
            errors.Add(new("job.config.max_items", "out_of_range", $"job.config.max_items is a whole number from 1 to {MaxItemsLimit}."));
        output["max_items"] = maxItems;
        if (errors.Count > 0) throw new ValidationException(errors);
        return output.ToJsonString();
    }

    private static string? Text(JsonElement config, string name, List<ValidationError> errors, bool required)
    {
        if (!config.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required) errors.Add(new($"job.config.{name}", "required", $"job.config.{name} is required."));
            return null;
        }
        if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 and <= 200 } text && !text.Any(char.IsControl)) return text;
        errors.Add(new($"job.config.{name}", "invalid_value", $"job.config.{name} is a text of 1 to 200 characters."));
        return null;
    }
}

/// <summary>How http_poll reads items and compares cursors: numbers as numbers, anything else as ordinal text.</summary>
public static class HttpPollItems
{
    /// <summary>The value at a dot path (a.b.c), or null.</summary>
    public static JsonElement? At(JsonElement root, string? path)
    {
        var current = root;
        foreach (var part in (path ?? "").Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current)) return null;
        }
        return current;
    }

    /// <summary>The items of an answer: at items_path, else the answer if it is an array, else its "data".</summary>
    public static JsonElement? Items(JsonElement answer, string? itemsPath) =>
        itemsPath is not null ? At(answer, itemsPath) : answer.ValueKind == JsonValueKind.Array ? answer : At(answer, "data");

    /// <summary>A scalar as the text a checkpoint keeps; null for objects, arrays and null.</summary>
    public static string? Scalar(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        { ValueKind: JsonValueKind.Number } v => v.GetRawText(),
        _ => null,
    };

    public static int Compare(string a, string b) =>
        decimal.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && decimal.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var y)
            ? x.CompareTo(y)
            : string.CompareOrdinal(a, b);
}
