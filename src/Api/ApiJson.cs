using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Integrations.Application.Common;

namespace Integrations.Api;

public static class ApiJson
{
    /// <summary>
    /// snake_case like every public contract; unknown request fields are refused rather than
    /// silently ignored, so a misspelt field surfaces as a 400 naming it.
    /// </summary>
    public static readonly JsonSerializerOptions Options = Configure(JsonDefaults.Create());

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        if (!options.Converters.Any(c => c is JsonStringEnumConverter))
            options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        if (!options.Converters.Any(c => c is StorableStringConverter)) options.Converters.Add(new StorableStringConverter());
        return options;
    }
}

/// <summary>
/// JSON allows U+0000 in strings; PostgreSQL stores no text with it and would fail the write with a
/// 500. Refused where the body is read instead: a 400 invalid_json naming the field. Everything
/// else is the default string converter's.
/// </summary>
public sealed class StorableStringConverter : JsonConverter<string>
{
    private static readonly JsonConverter<string> Default = JsonMetadataServices.StringConverter!;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Storable(Default.Read(ref reader, typeToConvert, options));

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => Default.Write(writer, value, options);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Storable(Default.ReadAsPropertyName(ref reader, typeToConvert, options))!;

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        Default.WriteAsPropertyName(writer, value, options);

    private static string? Storable(string? value) =>
        value is not null && value.Contains('\0') ? throw new JsonException("Text must not contain the character U+0000.") : value;
}
