using System.Text.Json;
using System.Text.Json.Serialization;
using Integrations.Application.Common;

namespace Integrations.Api;

public static class ApiJson
{
    /// <summary>
    /// snake_case like every public contract. Request bodies are read as strictly as the OpenAPI
    /// document describes them: unknown fields are refused rather than silently ignored (a misspelt
    /// field surfaces as a 400 naming it), names match exactly (additionalProperties: false means
    /// "URL" is not "url"), numbers are JSON numbers (not "+5"), instants are RFC 3339.
    /// </summary>
    public static readonly JsonSerializerOptions Options = Configure(JsonDefaults.Create());

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.PropertyNameCaseInsensitive = false;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        if (!options.Converters.Any(c => c is JsonStringEnumConverter))
            options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        if (!options.Converters.Any(c => c is Rfc3339Converter))
            options.Converters.Add(new Rfc3339Converter());
        return options;
    }

    /// <summary>Reads only RFC 3339 date-times with an offset; writes as System.Text.Json always did.</summary>
    private sealed class Rfc3339Converter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && Rfc3339.TryParse(reader.GetString(), out var instant)
                ? instant
                : throw new JsonException($"Expected {Rfc3339.Expectation}.");

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}
