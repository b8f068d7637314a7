using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Domain.Common;

namespace Integrations.Domain.Connectors;

/// <summary>
/// The template language of connector actions (the generic HTTP action's body, message texts): a
/// JSON document in which strings may hold <c>{{ path }}</c> placeholders. Nothing runs: a path
/// only reads a value of the event (<c>event.id</c>, <c>event.type</c>, <c>event.timestamp</c>,
/// <c>event.tenant_id</c>, <c>data.customer.name</c>, <c>data.lines[0].amount</c>), and an optional
/// <c>| default: …</c> gives a JSON literal for a missing value.
/// <list type="bullet">
/// <item>A string that is one placeholder and nothing else becomes the value itself, with its JSON type
/// (a number stays a number, an object an object; missing and no default: null).</item>
/// <item>A placeholder inside other text is written as text (strings as they are, other values as
/// JSON; missing: empty).</item>
/// </list>
/// Templates are parsed once (<see cref="Parse"/>) and checked then; rendering cannot fail.
/// </summary>
public sealed class JsonTemplate
{
    public const int MaxTemplateBytes = 64 * 1024;
    public const int MaxPlaceholders = 500;

    private readonly JsonNode? _template;
    private readonly Dictionary<string, Placeholder> _placeholders;

    private JsonTemplate(JsonNode? template, Dictionary<string, Placeholder> placeholders)
    {
        _template = template;
        _placeholders = placeholders;
    }

    /// <summary>Every path the template reads.</summary>
    public IEnumerable<string> Paths => _placeholders.Values.Select(p => p.Path.Text).Distinct(StringComparer.Ordinal);

    /// <exception cref="DomainException">invalid_template, with where and why.</exception>
    public static JsonTemplate Parse(string json)
    {
        if (Encoding.UTF8.GetByteCount(json) > MaxTemplateBytes)
            throw new DomainException("invalid_template", $"A template may be at most {MaxTemplateBytes / 1024} KiB.");
        JsonNode? template;
        try
        {
            template = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            throw new DomainException("invalid_template", $"The template is not JSON: {ex.Message.Split(" Path:")[0]}");
        }
        var placeholders = new Dictionary<string, Placeholder>(StringComparer.Ordinal);
        Collect(template, placeholders);
        if (placeholders.Count > MaxPlaceholders)
            throw new DomainException("invalid_template", $"A template may hold at most {MaxPlaceholders} placeholders.");
        return new JsonTemplate(template, placeholders);
    }

    /// <param name="data">The event's data.</param>
    public JsonNode? Render(TemplateEvent @event, JsonElement data) => Render(_template, new Scope(@event, data));

    /// <summary>As <see cref="Render(TemplateEvent, JsonElement)"/>, written as JSON text.</summary>
    /// <remarks>Escapes only what JSON requires (a quote is \", not \u0022): the text goes to HTTP bodies, never into HTML.</remarks>
    public string RenderJson(TemplateEvent @event, JsonElement data) => Render(@event, data)?.ToJsonString(Relaxed) ?? "null";

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private JsonNode? Render(JsonNode? node, Scope scope) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Render(p.Value, scope)))),
        JsonArray a => new JsonArray(a.Select(item => Render(item, scope)).ToArray()),
        JsonValue v when v.TryGetValue<string>(out var text) && text.Contains("{{", StringComparison.Ordinal) => RenderText(text, scope),
        _ => node?.DeepClone(),
    };

    private JsonNode? RenderText(string text, Scope scope)
    {
        var parts = Split(text);
        if (parts is [{ IsPlaceholder: true } only])
        {
            var value = _placeholders[only.Text].Resolve(scope);
            return value is { } v ? JsonNode.Parse(v.GetRawText()) : null;
        }
        var rendered = new StringBuilder();
        foreach (var part in parts)
        {
            if (!part.IsPlaceholder)
            {
                rendered.Append(part.Text);
                continue;
            }
            if (_placeholders[part.Text].Resolve(scope) is { } value)
                rendered.Append(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText());
        }
        return JsonValue.Create(rendered.ToString());
    }

    private static void Collect(JsonNode? node, Dictionary<string, Placeholder> placeholders)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, value) in o) Collect(value, placeholders);
                break;
            case JsonArray a:
                foreach (var item in a) Collect(item, placeholders);
                break;
            case JsonValue v when v.TryGetValue<string>(out var text):
                foreach (var part in Split(text).Where(p => p.IsPlaceholder))
                    placeholders.TryAdd(part.Text, Placeholder.Parse(part.Text));
                break;
        }
    }

    private readonly record struct Part(string Text, bool IsPlaceholder);

    private static List<Part> Split(string text)
    {
        var parts = new List<Part>();
        var at = 0;
        while (at < text.Length)
        {
            var open = text.IndexOf("{{", at, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add(new Part(text[at..], false));
                break;
            }
            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0) throw new DomainException("invalid_template", $"A placeholder opened at '{Excerpt(text, open)}' is not closed with }}}}.");
            if (open > at) parts.Add(new Part(text[at..open], false));
            parts.Add(new Part(text[(open + 2)..close].Trim(), true));
            at = close + 2;
        }
        return parts;
    }

    private static string Excerpt(string text, int at) => text.Substring(at, Math.Min(20, text.Length - at));

    private sealed record Scope(TemplateEvent Event, JsonElement Data);

    private sealed record Placeholder(TemplatePath Path, JsonElement? Default)
    {
        public static Placeholder Parse(string expression)
        {
            var pipe = expression.IndexOf('|');
            var path = TemplatePath.Parse((pipe < 0 ? expression : expression[..pipe]).Trim());
            if (pipe < 0) return new Placeholder(path, null);
            var filter = expression[(pipe + 1)..].Trim();
            const string prefix = "default:";
            if (!filter.StartsWith(prefix, StringComparison.Ordinal))
                throw new DomainException("invalid_template", $"Unknown filter in '{{{{ {expression} }}}}': only '| default: <JSON literal>' is supported.");
            try
            {
                return new Placeholder(path, JsonDocument.Parse(filter[prefix.Length..].Trim()).RootElement.Clone());
            }
            catch (JsonException)
            {
                throw new DomainException("invalid_template", $"The default in '{{{{ {expression} }}}}' is not a JSON literal (quote strings: default: \"none\").");
            }
        }

        public JsonElement? Resolve(Scope scope) => Path.Resolve(scope.Event, scope.Data) ?? Default;
    }
}

/// <summary>The event a template renders: its envelope fields (the data travels beside it).</summary>
public sealed record TemplateEvent(Guid Id, string Type, Guid TenantId, DateTimeOffset Timestamp);

/// <summary>A path into the event: <c>event.id|type|tenant_id|timestamp</c>, or <c>data</c> followed by <c>.name</c> and <c>[index]</c> steps.</summary>
public sealed class TemplatePath
{
    private static readonly string[] EventFields = ["id", "type", "tenant_id", "timestamp"];

    private readonly string? _eventField;
    private readonly IReadOnlyList<object> _steps;

    private TemplatePath(string text, string? eventField, IReadOnlyList<object> steps)
    {
        Text = text;
        _eventField = eventField;
        _steps = steps;
    }

    public string Text { get; }

    public static TemplatePath Parse(string text)
    {
        if (text.StartsWith("event.", StringComparison.Ordinal) && EventFields.Contains(text["event.".Length..]))
            return new TemplatePath(text, text["event.".Length..], []);
        if (text != "data" && !text.StartsWith("data.", StringComparison.Ordinal) && !text.StartsWith("data[", StringComparison.Ordinal))
            throw new DomainException("invalid_template",
                $"'{text}' is not a path: use data.<field>… (e.g. data.customer.name, data.lines[0].amount) or event.id, event.type, event.tenant_id, event.timestamp.");
        var steps = new List<object>();
        var rest = text["data".Length..];
        while (rest.Length > 0)
        {
            if (rest[0] == '.')
            {
                var end = rest.IndexOfAny(['.', '['], 1);
                var name = end < 0 ? rest[1..] : rest[1..end];
                if (name.Length == 0) throw new DomainException("invalid_template", $"'{text}' has an empty field name.");
                steps.Add(name);
                rest = end < 0 ? "" : rest[end..];
            }
            else if (rest[0] == '[')
            {
                var close = rest.IndexOf(']');
                if (close < 0 || !int.TryParse(rest[1..close], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                    throw new DomainException("invalid_template", $"'{text}' has an index that is not a number in [].");
                steps.Add(index);
                rest = rest[(close + 1)..];
            }
            else throw new DomainException("invalid_template", $"'{text}' is not a path (after a name comes . or [).");
            if (steps.Count > 32) throw new DomainException("invalid_template", $"'{text}' is deeper than 32 steps.");
        }
        return new TemplatePath(text, null, steps);
    }

    public JsonElement? Resolve(TemplateEvent @event, JsonElement data)
    {
        if (_eventField is { } field)
            return JsonSerializer.SerializeToElement(field switch
            {
                "id" => @event.Id.ToString(),
                "type" => @event.Type,
                "tenant_id" => @event.TenantId.ToString(),
                _ => @event.Timestamp.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            });
        var current = data;
        foreach (var step in _steps)
        {
            switch (step)
            {
                case string name when current.ValueKind == JsonValueKind.Object && current.TryGetProperty(name, out var next):
                    current = next;
                    break;
                case int index when current.ValueKind == JsonValueKind.Array && index < current.GetArrayLength():
                    current = current[index];
                    break;
                default:
                    return null;
            }
        }
        return current.ValueKind == JsonValueKind.Null ? null : current;
    }
}
