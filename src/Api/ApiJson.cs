using System.Text.Json;
using System.Text.Json.Serialization;
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
        return options;
    }
}
