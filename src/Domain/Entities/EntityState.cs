using System.Text.Json.Nodes;

namespace Integrations.Domain.Entities;

/// <summary>
/// A product record's latest state as the entity read model keeps it. The table's upsert
/// (EntitiesProjection) is this <see cref="Apply"/> in SQL; tests hold the two to the same results.
/// </summary>
/// <param name="CreatedAt">When its entity.created was accepted; null for a record only seen updated or deleted.</param>
/// <param name="UpdatedAt">When its latest entity event was accepted.</param>
/// <param name="Version">How many entity events it has had.</param>
public sealed record EntityState(
    EntityKey Key,
    JsonObject Attributes,
    IReadOnlyList<string> UnknownFields,
    string Status,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? DeletedAt,
    DateTimeOffset UpdatedAt,
    long Version,
    StoredEventRef LastEvent)
{
    /// <summary>The state after <paramref name="change"/>; <paramref name="current"/> is null for a record not seen before.</summary>
    public static EntityState Apply(EntityState? current, EntityChange change)
    {
        JsonObject attributes;
        SortedSet<string> unknown;
        if (current is null || change.ReplacesAttributes)
        {
            attributes = (JsonObject)change.Set.DeepClone();
            unknown = new SortedSet<string>(change.Unknown, StringComparer.Ordinal);
        }
        else
        {
            attributes = (JsonObject)current.Attributes.DeepClone();
            foreach (var field in change.Unknown) attributes.Remove(field);
            foreach (var (field, value) in change.Set) attributes[field] = value?.DeepClone();
            unknown = new SortedSet<string>(current.UnknownFields, StringComparer.Ordinal);
            unknown.ExceptWith(change.Set.Select(p => p.Key));
            unknown.UnionWith(change.Unknown);
        }
        var status = change.Status ?? current?.Status ?? EntityStatuses.Active;
        var deletedAt = change.Status switch
        {
            EntityStatuses.Deleted => change.DeletedAt,
            EntityStatuses.Active => null,
            _ => current?.DeletedAt,
        };
        return new EntityState(change.Key, attributes, [.. unknown], status,
            change.ReplacesAttributes ? change.CreatedAt : current?.CreatedAt, deletedAt, change.Last.At,
            (current?.Version ?? 0) + change.Events, change.Last);
    }
}
