using System.Text.Json;
using System.Text.Json.Nodes;

namespace Integrations.Domain.Connectors.Jira;

/// <summary>One Jira field that comes back into one of our record's attributes, converted as <see cref="Type"/> (<see cref="JiraFieldTypes"/>).</summary>
public sealed record JiraFieldBack(string FieldId, string Attribute, string Type);

/// <summary>
/// A <c>jira.issue</c> route's <c>fields_back</c> (Jira field id → <c>{"attribute", "type"}</c>): which fields
/// a change in Jira brings back into the linked record's attributes. Its own setting rather than the
/// outbound <c>fields</c> read in reverse: an outbound value is a template (<c>{{ data.customer.name }}</c>,
/// a constant, text around a placeholder) that names no attribute, and a field sent to Jira is not always one
/// Jira should be allowed to change on the record (ADR 0027).
/// </summary>
public static class JiraFieldsBack
{
    public const string Setting = "fields_back";

    /// <summary>A route's stored mapping, or none.</summary>
    public static IReadOnlyList<JiraFieldBack> Of(JsonElement settings) =>
        settings.ValueKind == JsonValueKind.Object && settings.TryGetProperty(Setting, out var map) && map.ValueKind == JsonValueKind.Object
            ? map.EnumerateObject()
                .Where(p => p.Value.ValueKind == JsonValueKind.Object && Text(p.Value, "attribute") is not null && Text(p.Value, "type") is not null)
                .Select(p => new JiraFieldBack(p.Name, Text(p.Value, "attribute")!, Text(p.Value, "type")!))
                .ToList()
            : [];

    /// <summary>
    /// The attributes a change's items set by the mappings: each mapped field's new value, converted; an item
    /// whose value does not convert (or a cleared field) is left out. The first mapping of a field counts.
    /// </summary>
    public static JsonObject AttributesOf(IEnumerable<JiraFieldBack> mappings, IReadOnlyList<JiraChangeItem> items)
    {
        var attributes = new JsonObject();
        foreach (var mapping in mappings.DistinctBy(m => m.FieldId, StringComparer.Ordinal))
            if (items.LastOrDefault(i => i.FieldId == mapping.FieldId) is { } item
                && !attributes.ContainsKey(mapping.Attribute)
                && JiraFieldTypes.FromChangelog(mapping.Type, item.To, item.ToText) is { } value)
                attributes[mapping.Attribute] = value;
        return attributes;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
