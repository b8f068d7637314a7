using System.Text.Json;

namespace Integrations.Infrastructure.EventTypes;

/// <summary>
/// Our wording of a failed keyword, read after the field's path ("data.currency must match the
/// pattern ^[A-Z]{3}$."): JSON type names and the schema's own values, never .NET's. Null when the
/// schema cannot be read, and the caller falls back to the library's message.
/// </summary>
internal static class SchemaMessages
{
    public static string? For(string keyword, JsonElement? schema, JsonElement instance)
    {
        if (schema is not { } s || !s.TryGetProperty(keyword, out var value)) return null;
        return keyword switch
        {
            "const" => $"must be {value.GetRawText()}.",
            "enum" => $"must be one of: {string.Join(", ", value.EnumerateArray().Select(Show))}.",
            "minLength" => value.GetRawText() == "1" ? "must not be empty." : $"must be at least {value.GetRawText()} characters long.",
            "maxLength" => $"must be at most {value.GetRawText()} characters long.",
            "pattern" => $"must match the pattern {value.GetString()}.",
            "minimum" => $"must be at least {value.GetRawText()}.",
            "maximum" => $"must be at most {value.GetRawText()}.",
            "exclusiveMinimum" => $"must be greater than {value.GetRawText()}.",
            "exclusiveMaximum" => $"must be less than {value.GetRawText()}.",
            "multipleOf" => $"must be a multiple of {value.GetRawText()}.",
            "minItems" => $"must have at least {value.GetRawText()} item(s).",
            "maxItems" => $"must have at most {value.GetRawText()} item(s).",
            "minProperties" => $"must have at least {value.GetRawText()} propert{(value.GetRawText() == "1" ? "y" : "ies")}.",
            "maxProperties" => $"must have at most {value.GetRawText()} propert{(value.GetRawText() == "1" ? "y" : "ies")}.",
            "uniqueItems" => Duplicates(instance) is var (first, second) ? $"must not hold the same item twice: items {first} and {second} are equal." : null,
            "format" => $"must be a valid {value.GetString()}.",
            _ => null,
        };
    }

    public static string? Type(JsonElement? schema, JsonElement instance)
    {
        if (schema is not { } s || !s.TryGetProperty("type", out var type)) return null;
        var names = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToArray() : [type.GetString()!];
        return $"must be {string.Join(" or ", names.Select(Article))}, not {Describe(instance)}.";
    }

    /// <param name="matching">How many items matched the subschema of <c>contains</c>.</param>
    public static string? Contains(JsonElement? schema, int matching)
    {
        if (schema is not { } s) return null;
        var min = s.TryGetProperty("minContains", out var minimum) ? minimum.GetRawText() : "1";
        return s.TryGetProperty("maxContains", out var maximum) && matching > maximum.GetDouble()
            ? $"must have at most {maximum.GetRawText()} item(s) matching the schema in contains; it has {matching}."
            : $"must have at least {min} item(s) matching the schema in contains; it has {matching}.";
    }

    /// <summary>The library's message as a sentence (a fallback: "Value should be ...").</summary>
    public static string Sentence(string error) => error.TrimEnd('.') + ".";

    private static (int, int)? Duplicates(JsonElement array)
    {
        if (array.ValueKind != JsonValueKind.Array) return null;
        var items = array.EnumerateArray().ToArray();
        for (var j = 1; j < items.Length; j++)
        for (var i = 0; i < j; i++)
            if (JsonElement.DeepEquals(items[i], items[j])) return (i, j);
        return null;
    }

    private static string Show(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

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
