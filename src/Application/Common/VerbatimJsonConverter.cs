using System.Text.Json;
using System.Text.Json.Serialization;

namespace Integrations.Application.Common;

/// <summary>
/// Writes a JsonElement as the bytes it was parsed from (key order, spacing, escapes), where the
/// default converter writes it anew. The product's data reaches every consumer as it was published.
/// </summary>
public sealed class VerbatimJsonConverter : JsonConverter<JsonElement>
{
    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => JsonElement.ParseValue(ref reader);

    // The element was parsed (and so validated) when it was read.
    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.GetRawText(), skipInputValidation: true);
}
