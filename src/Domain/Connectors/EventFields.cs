using System.Text.Json;

namespace Integrations.Domain.Connectors;

/// <summary>What a chat message shows of an event's data by default: its top-level scalar values, in the data's order. Pure.</summary>
public static class EventFields
{
    /// <summary>Up to <paramref name="max"/> top-level strings, numbers and booleans (yes/no); objects and arrays are left out.</summary>
    public static IEnumerable<(string Name, string Value)> Scalars(JsonElement data, int max)
    {
        if (data.ValueKind != JsonValueKind.Object) yield break;
        var count = 0;
        foreach (var property in data.EnumerateObject())
        {
            if (count == max) yield break;
            var value = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Number => property.Value.GetRawText(),
                JsonValueKind.True => "yes",
                JsonValueKind.False => "no",
                _ => null,
            };
            if (value is null) continue;
            count++;
            yield return (property.Name, value);
        }
    }
}
