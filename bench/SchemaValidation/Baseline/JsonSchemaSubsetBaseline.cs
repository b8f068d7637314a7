using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Integrations.Application.Common.Interfaces;

namespace Integrations.Bench.SchemaValidation.Baseline;

/// <summary>
/// THE BASELINE, NOT SHIPPED: the hand-written validator the platform used before JsonSchema.Net
/// (src/Infrastructure/EventTypes/JsonSchemaSubset.cs at 1f93981, ADR 0008), kept unchanged here
/// but for its name and namespace so that the benchmark compares both in the same run (ADR 0011).
///
/// A compiled JSON Schema (draft 2020-12) restricted to the keywords the event catalog uses:
/// type, enum, const, required, properties, additionalProperties, items, minItems, maxItems,
/// minimum, maximum, minLength, maxLength, pattern, and the annotations ($schema, $id, $comment,
/// title, description, format, examples, default). Compiling a schema that uses any other keyword
/// fails, so the catalog can never silently rely on a check this validator does not make.
/// (JsonSchema.Net, the usual library, cannot be restored here: its dependencies are missing from
/// the package registry.) As in 2020-12 by default, "format" is an annotation and not asserted.
/// </summary>
public sealed class JsonSchemaSubsetBaseline
{
    private static readonly HashSet<string> Annotations = ["$schema", "$id", "$comment", "title", "description", "format", "examples", "default"];
    private static readonly HashSet<string> TypeNames = ["null", "boolean", "object", "array", "number", "integer", "string"];

    private readonly bool? _constant;
    private readonly string[]? _types;
    private readonly JsonElement[]? _enum;
    private readonly JsonElement? _const;
    private readonly string[] _required = [];
    private readonly Dictionary<string, JsonSchemaSubsetBaseline> _properties = new(StringComparer.Ordinal);
    private readonly JsonSchemaSubsetBaseline? _additionalProperties;
    private readonly JsonSchemaSubsetBaseline? _items;
    private readonly int? _minItems, _maxItems, _minLength, _maxLength;
    private readonly decimal? _minimum, _maximum;
    private readonly Regex? _pattern;

    private JsonSchemaSubsetBaseline(JsonElement schema)
    {
        if (schema.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            _constant = schema.ValueKind == JsonValueKind.True;
            return;
        }
        if (schema.ValueKind != JsonValueKind.Object) throw new NotSupportedException("A schema must be an object or a boolean.");

        foreach (var keyword in schema.EnumerateObject())
        {
            var value = keyword.Value;
            switch (keyword.Name)
            {
                case var annotation when Annotations.Contains(annotation):
                    break;
                case "type":
                    _types = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(t => t.GetString()!).ToArray() : [value.GetString()!];
                    if (_types.FirstOrDefault(t => !TypeNames.Contains(t)) is { } unknownType) throw new NotSupportedException($"Unknown type '{unknownType}'.");
                    break;
                case "enum":
                    _enum = value.EnumerateArray().Select(e => e.Clone()).ToArray();
                    break;
                case "const":
                    _const = value.Clone();
                    break;
                case "required":
                    _required = value.EnumerateArray().Select(r => r.GetString()!).ToArray();
                    break;
                case "properties":
                    foreach (var property in value.EnumerateObject()) _properties[property.Name] = new JsonSchemaSubsetBaseline(property.Value);
                    break;
                case "additionalProperties":
                    _additionalProperties = new JsonSchemaSubsetBaseline(value);
                    break;
                case "items":
                    _items = new JsonSchemaSubsetBaseline(value);
                    break;
                case "minItems": _minItems = value.GetInt32(); break;
                case "maxItems": _maxItems = value.GetInt32(); break;
                case "minLength": _minLength = value.GetInt32(); break;
                case "maxLength": _maxLength = value.GetInt32(); break;
                case "minimum": _minimum = value.GetDecimal(); break;
                case "maximum": _maximum = value.GetDecimal(); break;
                case "pattern":
                    _pattern = CompilePattern(value.GetString()!);
                    break;
                default:
                    throw new NotSupportedException($"The schema keyword '{keyword.Name}' is not supported by this validator.");
            }
        }
    }

    /// <summary>Compiles a schema; throws <see cref="NotSupportedException"/> for keywords outside the subset.</summary>
    public static JsonSchemaSubsetBaseline Compile(string schemaJson)
    {
        using var document = JsonDocument.Parse(schemaJson);
        return new JsonSchemaSubsetBaseline(document.RootElement);
    }

    public IReadOnlyList<SchemaViolation> Validate(JsonElement instance)
    {
        var violations = new List<SchemaViolation>();
        Validate(instance, "", violations);
        return violations;
    }

    private void Validate(JsonElement instance, string path, List<SchemaViolation> violations)
    {
        if (_constant is { } accepts)
        {
            if (!accepts) violations.Add(new SchemaViolation(path, "is not allowed here."));
            return;
        }
        // A value of the wrong type makes every other finding about it noise.
        if (_types is not null && !_types.Any(t => HasType(instance, t)))
        {
            violations.Add(new SchemaViolation(path, $"must be {string.Join(" or ", _types.Select(Article))}, not {Describe(instance)}."));
            return;
        }
        if (_const is { } expected && !JsonElement.DeepEquals(instance, expected))
            violations.Add(new SchemaViolation(path, $"must be {expected.GetRawText()}."));
        if (_enum is not null && !_enum.Any(e => JsonElement.DeepEquals(instance, e)))
            violations.Add(new SchemaViolation(path, $"must be one of: {string.Join(", ", _enum.Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText()))}."));

        switch (instance.ValueKind)
        {
            case JsonValueKind.Object: ValidateObject(instance, path, violations); break;
            case JsonValueKind.Array: ValidateArray(instance, path, violations); break;
            case JsonValueKind.String: ValidateString(instance.GetString()!, path, violations); break;
            case JsonValueKind.Number: ValidateNumber(instance, path, violations); break;
        }
    }

    private void ValidateObject(JsonElement instance, string path, List<SchemaViolation> violations)
    {
        foreach (var name in _required)
            if (!instance.TryGetProperty(name, out _)) violations.Add(new SchemaViolation(Child(path, name), "is required."));
        foreach (var property in instance.EnumerateObject())
        {
            if (_properties.TryGetValue(property.Name, out var schema)) schema.Validate(property.Value, Child(path, property.Name), violations);
            else _additionalProperties?.Validate(property.Value, Child(path, property.Name), violations);
        }
    }

    private void ValidateArray(JsonElement instance, string path, List<SchemaViolation> violations)
    {
        var count = instance.GetArrayLength();
        if (_minItems is { } min && count < min) violations.Add(new SchemaViolation(path, $"must have at least {min} item(s)."));
        if (_maxItems is { } max && count > max) violations.Add(new SchemaViolation(path, $"must have at most {max} item(s)."));
        if (_items is null) return;
        var index = 0;
        foreach (var item in instance.EnumerateArray()) _items.Validate(item, $"{path}[{index++}]", violations);
    }

    private void ValidateString(string value, string path, List<SchemaViolation> violations)
    {
        // JSON Schema counts characters as Unicode code points, not UTF-16 units.
        var length = value.EnumerateRunes().Count();
        if (_minLength is { } min && length < min) violations.Add(new SchemaViolation(path, min == 1 ? "must not be empty." : $"must be at least {min} characters long."));
        if (_maxLength is { } max && length > max) violations.Add(new SchemaViolation(path, $"must be at most {max} characters long."));
        if (_pattern is not null && !_pattern.IsMatch(value)) violations.Add(new SchemaViolation(path, $"must match the pattern {_pattern}."));
    }

    /// <summary>
    /// Patterns run on tenants' data, so they are matched in time linear in the input
    /// (<see cref="RegexOptions.NonBacktracking"/>): no input can make one slow, and none needs a
    /// timeout. A timeout counted wall-clock time, so on a busy machine a thread paused mid-match
    /// (100 ms once, under the webhook benchmark's load) failed a valid value. Patterns that need
    /// backtracking (backreferences, lookarounds) do not compile.
    /// </summary>
    private static Regex CompilePattern(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException ex)
        {
            throw new NotSupportedException($"The pattern '{pattern}' needs backtracking, which this validator does not do: {ex.Message}", ex);
        }
    }

    private void ValidateNumber(JsonElement instance, string path, List<SchemaViolation> violations)
    {
        var value = instance.TryGetDecimal(out var exact) ? exact : (decimal?)null;
        if (_minimum is { } min && (value is { } v1 ? v1 < min : AsDouble(instance) < (double)min))
            violations.Add(new SchemaViolation(path, $"must be at least {min.ToString(CultureInfo.InvariantCulture)}."));
        if (_maximum is { } max && (value is { } v2 ? v2 > max : AsDouble(instance) > (double)max))
            violations.Add(new SchemaViolation(path, $"must be at most {max.ToString(CultureInfo.InvariantCulture)}."));
    }

    private static bool HasType(JsonElement instance, string type) => type switch
    {
        "null" => instance.ValueKind == JsonValueKind.Null,
        "boolean" => instance.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "object" => instance.ValueKind == JsonValueKind.Object,
        "array" => instance.ValueKind == JsonValueKind.Array,
        "number" => instance.ValueKind == JsonValueKind.Number,
        // 2020-12: any number with a zero fractional part is an integer, 1.0 included.
        "integer" => instance.ValueKind == JsonValueKind.Number &&
                     (instance.TryGetDecimal(out var d) ? decimal.Truncate(d) == d : Math.Floor(AsDouble(instance)) == AsDouble(instance)),
        "string" => instance.ValueKind == JsonValueKind.String,
        _ => false,
    };

    /// <summary>Numbers beyond decimal's range; beyond double's too (1e400) they count as infinite.</summary>
    private static double AsDouble(JsonElement number) =>
        number.TryGetDouble(out var value) ? value : number.GetRawText().StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;

    private static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Article(string type) => type switch
    {
        "null" => "null",
        "array" or "integer" or "object" => "an " + type,
        _ => "a " + type,
    };

    private static string Describe(JsonElement instance) => instance.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Number => "a number",
        _ => "a string",
    };
}
