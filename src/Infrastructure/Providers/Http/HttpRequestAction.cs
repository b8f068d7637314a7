using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connectors;
using Integrations.Domain.Common;
using Integrations.Domain.Connectors;
using Integrations.Domain.Webhooks;

namespace Integrations.Infrastructure.Providers.Http;

/// <summary>
/// The generic HTTP action (<c>http.request</c>): calls a URL with a JSON body rendered from the
/// event by <see cref="JsonTemplate"/>. Its settings:
/// <code>
/// { "method": "POST",                          GET, POST, PUT, PATCH or DELETE (default POST)
///   "path": "/v1/invoices/{{ data.id }}",      below the connection's base URL (placeholders are percent-encoded)
///   "url": "https://hooks.example.com/x",       or an absolute URL, under the webhooks' SSRF rules
///   "headers": { "X-Source": "{{ event.type }}" }, Accept, Accept-Language, Content-Language, Prefer and X- headers
///   "body": { "invoice": "{{ data.id }}" } }    a template; absent: the event; null: no body
/// </code>
/// The connection's credentials go only to its own origin (the base URL's scheme, host and port): an
/// absolute URL elsewhere is called without them, so a route can never carry a connection's tokens to
/// a host of its choosing. The request is checked here once; <see cref="Prepare"/> cannot fail.
/// </summary>
public sealed class HttpRequestAction(IUrlSafetyChecker urls) : IConnectorAction
{
    public const int MaxHeaders = 20;
    public const int MaxHeaderValueLength = 1000;
    public const int MaxPathLength = 1000;

    public static readonly IReadOnlyList<string> Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    private static readonly string[] AllowedHeaders = ["Accept", "Accept-Language", "Content-Language", "Prefer"];
    private static readonly string[] RefusedXHeaders = ["X-Forwarded-", "X-Real-IP", "X-Original-", "X-Rewrite-", "X-HTTP-Method"];
    private static readonly string[] Fields = ["method", "url", "path", "headers", "body"];

    /// <summary>What a route sends when its settings name no body: the event itself.</summary>
    private const string DefaultBody = """{"id":"{{ event.id }}","type":"{{ event.type }}","timestamp":"{{ event.timestamp }}","data":"{{ data }}"}""";

    private static readonly System.Text.RegularExpressions.Regex Placeholders = new(@"\{\{[^{}]*\}\}", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ConcurrentDictionary<string, ParsedSettings> _parsed = new(StringComparer.Ordinal);

    public string Name => HttpProvider.RequestAction;

    public async Task<string> CheckSettingsAsync(JsonElement settings, CancellationToken ct)
    {
        var errors = ActionSettings.UnknownFields(settings, "http.request", Fields);

        var method = settings.TryGetProperty("method", out var m) ? m.ValueKind == JsonValueKind.String ? m.GetString()!.ToUpperInvariant() : "" : "POST";
        if (!Methods.Contains(method)) errors.Add(new("settings.method", "invalid_method", $"settings.method is one of {string.Join(", ", Methods)}."));

        var output = new JsonObject { ["method"] = method };
        var hasUrl = settings.TryGetProperty("url", out var url);
        var hasPath = settings.TryGetProperty("path", out var path);
        if (hasUrl == hasPath)
            errors.Add(new("settings", "url_or_path", "Give settings.path (below the connection's base URL) or settings.url (an absolute URL), not both."));
        else if (hasUrl && await CheckUrlAsync(urls, url, errors, ct) is { } checkedUrl)
            output["url"] = checkedUrl;
        else if (hasPath && CheckPath(path, errors) is { } checkedPath)
            output["path"] = checkedPath;

        var headers = new JsonObject();
        if (settings.TryGetProperty("headers", out var h)) CheckHeaders(h, headers, errors);
        output["headers"] = headers;

        var body = settings.TryGetProperty("body", out var b) ? b : JsonDocument.Parse(DefaultBody).RootElement;
        if (method is "GET" or "DELETE" && b.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
            errors.Add(new("settings.body", "body_not_allowed", $"A {method} request has no body; leave settings.body out."));
        else if (method is "GET" or "DELETE" || body.ValueKind == JsonValueKind.Null)
            output["body"] = null;
        else
        {
            try
            {
                JsonTemplate.Parse(body.GetRawText());
                output["body"] = JsonNode.Parse(body.GetRawText());
            }
            catch (DomainException e)
            {
                errors.Add(new("settings.body", e.Code, e.Message));
            }
        }
        if (errors.Count > 0) throw new ValidationException(errors);
        return output.ToJsonString(Compact);
    }

    public PreparedRequest Prepare(string settingsJson, TemplateEvent @event, JsonElement data)
    {
        var settings = _parsed.Count > 10_000 ? Parse(settingsJson) : _parsed.GetOrAdd(settingsJson, Parse);
        var headers = settings.Headers.ToDictionary(h => h.Key, h => HeaderValue(h.Value.Render(@event, data)), StringComparer.OrdinalIgnoreCase);
        return new PreparedRequest(settings.Method, settings.Url, settings.Path?.Render(@event, data), headers, settings.Body?.RenderJson(@event, data));
    }

    /// <summary>An absolute URL under the webhooks' SSRF rules, without placeholders; also the scheduled http_poll job's check.</summary>
    internal static async Task<string?> CheckUrlAsync(IUrlSafetyChecker urls, JsonElement url, List<ValidationError> errors, CancellationToken ct,
        string field = "settings.url")
    {
        var text = url.ValueKind == JsonValueKind.String ? url.GetString() : null;
        if (text is not null && text.Contains("{{", StringComparison.Ordinal))
        {
            errors.Add(new(field, "invalid_url", $"{field} takes no placeholders (its host is fixed); put them in {field[..^3]}path."));
            return null;
        }
        // The webhooks' rules: syntax, internal names, and every address the host resolves to must be public (unless the operator allows private ones).
        if (await urls.CheckAsync(text ?? "", ct) is { } refusal)
        {
            errors.Add(new(field, refusal.Code, refusal.Message.Replace("url", field, StringComparison.Ordinal)));
            return null;
        }
        return text;
    }

    /// <summary>A path below the connection's base URL; also the scheduled http_poll job's check.</summary>
    internal static string? CheckPath(JsonElement path, List<ValidationError> errors, string field = "settings.path")
    {
        var text = path.ValueKind == JsonValueKind.String ? path.GetString()! : "";
        // Placeholders ({{ data.id }}, spaces allowed) are percent-encoded when rendered: the rules are for the literal parts.
        var literal = Placeholders.Replace(text, "_");
        var valid = text.Length is > 0 and <= MaxPathLength && literal[0] == '/' && !literal.StartsWith("//", StringComparison.Ordinal)
                    && !literal.Contains('#', StringComparison.Ordinal) && !literal.Contains('\\', StringComparison.Ordinal)
                    && !literal.Any(c => char.IsControl(c) || c == ' ') && !literal.Split('?')[0].Split('/').Any(s => s is "." or "..");
        if (!valid)
        {
            errors.Add(new(field, "invalid_path",
                $"{field} is a path below the connection's base URL: it starts with one '/', has no '..' segment, space or '#', at most {MaxPathLength} characters."));
            return null;
        }
        try
        {
            PathTemplate.Parse(text);
            return text;
        }
        catch (DomainException e)
        {
            errors.Add(new(field, e.Code, e.Message));
            return null;
        }
    }

    private static void CheckHeaders(JsonElement headers, JsonObject output, List<ValidationError> errors)
    {
        if (headers.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new("settings.headers", "invalid_headers", "settings.headers is an object of header names and string values."));
            return;
        }
        foreach (var header in headers.EnumerateObject())
        {
            var field = $"settings.headers.{header.Name}";
            if (!HeaderAllowed(header.Name))
                errors.Add(new(field, "header_not_allowed",
                    $"'{header.Name}' cannot be set: a route may set {string.Join(", ", AllowedHeaders)} and X- headers (not X-Forwarded-*); credentials come from the connection."));
            else if (header.Value.ValueKind != JsonValueKind.String || header.Value.GetString() is not { Length: <= MaxHeaderValueLength } value
                     || value.Any(c => c is '\r' or '\n' or '\0'))
                errors.Add(new(field, "invalid_header_value", $"A header value is a string of at most {MaxHeaderValueLength} characters on one line."));
            else
            {
                try
                {
                    JsonTemplate.Parse(JsonSerializer.Serialize(value));
                    output[header.Name] = value;
                }
                catch (DomainException e)
                {
                    errors.Add(new(field, e.Code, e.Message));
                }
            }
        }
        if (output.Count > MaxHeaders) errors.Add(new("settings.headers", "too_many_headers", $"At most {MaxHeaders} headers."));
    }

    private static bool HeaderAllowed(string name) =>
        name.Length is > 0 and <= 100 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
        && (AllowedHeaders.Contains(name, StringComparer.OrdinalIgnoreCase)
            || name.StartsWith("X-", StringComparison.OrdinalIgnoreCase) && !RefusedXHeaders.Any(r => name.StartsWith(r, StringComparison.OrdinalIgnoreCase)));

    /// <summary>A rendered header value on one line: a placeholder's value may hold anything.</summary>
    private static string HeaderValue(JsonNode? rendered)
    {
        var text = rendered switch
        {
            null => "",
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => rendered.ToJsonString(Compact),
        };
        var value = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return value.Length > MaxHeaderValueLength ? value[..MaxHeaderValueLength] : value;
    }

    private static ParsedSettings Parse(string settingsJson)
    {
        using var document = JsonDocument.Parse(settingsJson);
        var root = document.RootElement;
        var body = root.GetProperty("body");
        return new ParsedSettings(
            root.GetProperty("method").GetString()!,
            root.TryGetProperty("url", out var url) ? url.GetString() : null,
            root.TryGetProperty("path", out var path) ? PathTemplate.Parse(path.GetString()!) : null,
            root.GetProperty("headers").EnumerateObject().ToDictionary(h => h.Name, h => JsonTemplate.Parse(JsonSerializer.Serialize(h.Value.GetString()))),
            body.ValueKind == JsonValueKind.Null ? null : JsonTemplate.Parse(body.GetRawText()));
    }

    private sealed record ParsedSettings(string Method, string? Url, PathTemplate? Path, Dictionary<string, JsonTemplate> Headers, JsonTemplate? Body);
}
