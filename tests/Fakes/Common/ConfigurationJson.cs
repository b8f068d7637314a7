using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Integrations.Fakes.Common;

/// <summary>
/// Reads a configuration section (arguments <c>--Section:Key=value</c> or environment
/// <c>Section__Key</c>) as the JSON object the control API takes for the same type, so start-up and
/// run-time settings go through one path. Keys may be PascalCase or snake_case; lists are
/// comma-separated; enum values may be written <c>SingleUse</c>, <c>single-use</c> or <c>single_use</c>.
/// </summary>
public static class ConfigurationJson
{
    public static JsonObject Read(IConfigurationSection section, Type target)
    {
        var result = new JsonObject();
        foreach (var child in section.GetChildren())
        {
            var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(child.Key);
            var property = target.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name) == name)
                ?? throw new InvalidOperationException($"{section.Path}: unknown setting '{child.Key}'");
            result[name] = Convert(child.Value ?? "", property.PropertyType, child.Path);
        }
        return result;
    }

    public static T Read<T>(IConfigurationSection section) where T : new() =>
        Read(section, typeof(T)).Deserialize<T>(FakeApp.Json) ?? new T();

    private static JsonNode? Convert(string value, Type type, string path)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string))
        {
            return JsonValue.Create(value);
        }
        if (underlying == typeof(List<string>))
        {
            return new JsonArray(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        }
        if (value.Length == 0 && underlying != type)
        {
            return null;
        }
        if (underlying.IsEnum)
        {
            return JsonValue.Create(JsonNamingPolicy.SnakeCaseLower.ConvertName(value.Replace('-', '_')));
        }
        if (underlying == typeof(bool) && bool.TryParse(value, out var flag))
        {
            return JsonValue.Create(flag);
        }
        if (underlying == typeof(int) && int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }
        throw new InvalidOperationException($"{path}: '{value}' is not a valid {underlying.Name}");
    }
}
