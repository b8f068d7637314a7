using System.Text.Json;
using System.Text.RegularExpressions;
using Integrations.Application.Common;

namespace Integrations.Api.Errors;

/// <summary>
/// Error details for bodies and parameters that do not bind, in a client's words: the field as a
/// path of the body ("events[1].data"), and the JSON type it should have had. The framework's own
/// messages name .NET types ("System.Nullable`1[System.Int32]") and, for record constructor
/// parameters, the record instead of the field.
/// </summary>
public static partial class JsonErrorWording
{
    /// <summary>"$.data.amount" → "data.amount"; "$" (the body itself) → null.</summary>
    public static string? Field(string? path) =>
        path is null || path == "$" ? null : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <param name="requestType">The endpoint's body type, to find the type the failing field should have.</param>
    public static string Describe(JsonException json, Type? requestType)
    {
        var message = json.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0) message = message[..cut];
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
            return "This field is not part of the request; the API reference lists the accepted fields.";
        if (message.StartsWith("The JSON value could not be converted to", StringComparison.Ordinal))
            return requestType is not null && TypeAt(requestType, Field(json.Path)) is { } expected
                ? $"Expected {JsonTypeOf(expected)}."
                : "The value has the wrong type or format.";
        return message.Contains("System.", StringComparison.Ordinal) || message.Contains("Integrations.", StringComparison.Ordinal)
            ? "The value has the wrong type or format."
            : message;
    }

    /// <summary>"Failed to bind parameter \"Guid id\" from \"x\"." → field id, "Expected a UUID."</summary>
    public static ApiErrorDetail BindingDetail(string message)
    {
        var start = message.IndexOf('"');
        var end = start >= 0 ? message.IndexOf('"', start + 1) : -1;
        var declaration = start >= 0 && end > start ? message[(start + 1)..end].Split(' ') : [];
        // The C# parameter name; the query and route use its snake_case form.
        var name = declaration.Length > 0 ? JsonNamingPolicy.SnakeCaseLower.ConvertName(declaration[^1]) : null;
        var type = declaration.Length > 1 ? declaration[^2].TrimEnd('?') : "";
        if (type.StartsWith("Nullable<", StringComparison.Ordinal)) type = type["Nullable<".Length..].TrimEnd('>');
        var expected = type switch
        {
            "Guid" => "a UUID",
            "int" or "long" or "Int32" or "Int64" => "an integer",
            "bool" or "Boolean" => "true or false",
            "DateTimeOffset" => Rfc3339.Expectation,
            _ => "another format",
        };
        return new ApiErrorDetail(name, "invalid_type", $"Expected {expected}.");
    }

    /// <summary>The type of the field at <paramref name="path"/> ("events[1].data") of <paramref name="root"/>, as the API's serializer sees it.</summary>
    internal static Type? TypeAt(Type root, string? path)
    {
        var type = root;
        foreach (Match segment in PathSegment().Matches(path ?? ""))
        {
            if (segment.Groups["name"].Success)
            {
                var property = ApiJson.Options.GetTypeInfo(type).Properties.FirstOrDefault(p => p.Name == segment.Groups["name"].Value);
                if (property is null) return null;
                type = property.PropertyType;
            }
            else if (ElementType(type) is { } element) type = element;
            else return null;
        }
        return type;
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    internal static string JsonTypeOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte) => "an integer",
            _ when type == typeof(double) || type == typeof(decimal) || type == typeof(float) => "a number",
            _ when type == typeof(string) => "a string",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(Guid) => "a UUID",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => Rfc3339.Expectation,
            _ when type == typeof(JsonElement) => "a JSON value",
            _ when type.IsEnum => "one of the documented values (a string)",
            _ when ElementType(type) is not null => "an array",
            _ => "an object",
        };
    }

    [GeneratedRegex(@"(?<name>[^.\[\]]+)|\[(?<index>\d+)\]")]
    private static partial Regex PathSegment();
}
