using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Domain.Common;

namespace Integrations.Domain.Entities;

/// <summary>The event types the entity read model follows, and the statuses it gives a record.</summary>
public static class EntityEvents
{
    public const string Created = "entity.created";
    public const string Updated = "entity.updated";
    public const string Deleted = "entity.deleted";

    public static readonly IReadOnlyList<string> All = [Created, Updated, Deleted];

    /// <summary>The type of records whose events name none (entity_type is optional in the catalog).</summary>
    public const string Untyped = "untyped";

    public const int MaxTypeLength = 100;
    public const int MaxIdLength = 255;
}

public static class EntityStatuses
{
    public const string Active = "active";
    public const string Deleted = "deleted";

    public static readonly IReadOnlyList<string> All = [Active, Deleted];
}

/// <summary>A product record: its tenant, type and id in the product. <see cref="RowId"/> names it in every process and every rebuild.</summary>
public readonly record struct EntityKey(Guid TenantId, string Type, string Id)
{
    public Guid RowId => NameBasedGuid.Create(Encoding.UTF8.GetBytes($"entity\n{TenantId:N}\n{Type}\n{Id}"));
}

/// <summary>
/// What one or more entity.* events (in log order) do to one record's latest state: the fields they
/// set, or the attributes they replace (entity.created); the fields whose new value they did not
/// give (listed in changed_fields without a changes.{field}.to: removed from the attributes and
/// reported as unknown until an event gives them); and the status. Changes compose
/// (<see cref="Then"/>), so a page of events costs one write per record, and applying the
/// composition equals applying them one by one (<see cref="EntityState.Apply"/>).
/// </summary>
public sealed class EntityChange
{
    private EntityChange(EntityKey key, bool replaces, JsonObject set, SortedSet<string> unknown, string? status, StoredEventRef last)
    {
        Key = key;
        ReplacesAttributes = replaces;
        Set = set;
        Unknown = unknown;
        Status = status;
        CreatedAt = replaces ? last.At : null;
        DeletedAt = status == EntityStatuses.Deleted ? last.At : null;
        Last = last;
        Events = 1;
    }

    public EntityKey Key { get; }

    /// <summary>The attributes become <see cref="Set"/> (the record was created); otherwise <see cref="Set"/> is merged in.</summary>
    public bool ReplacesAttributes { get; private set; }

    public JsonObject Set { get; private set; }

    public SortedSet<string> Unknown { get; }

    /// <summary>The status it leaves, or null when it does not change it.</summary>
    public string? Status { get; private set; }

    /// <summary>When the record was created, if the change creates it.</summary>
    public DateTimeOffset? CreatedAt { get; private set; }

    /// <summary>When the record was deleted, if the change leaves it deleted.</summary>
    public DateTimeOffset? DeletedAt { get; private set; }

    /// <summary>The last event the change holds.</summary>
    public StoredEventRef Last { get; private set; }

    /// <summary>How many events the change holds.</summary>
    public int Events { get; private set; }

    /// <summary>
    /// The change one event makes, or null when the event is not one the read model can key: not an
    /// entity.* event, data that is not an object, no entity_id string (or a longer one than
    /// <see cref="EntityEvents.MaxIdLength"/>), an entity_type that is not a string (or longer than
    /// <see cref="EntityEvents.MaxTypeLength"/>), or text with U+0000 (which the tables cannot hold;
    /// the API refuses it, events of older releases might hold it).
    /// </summary>
    public static EntityChange? FromEvent(Guid tenantId, string eventType, string dataJson, StoredEventRef @event)
    {
        if (!EntityEvents.All.Contains(eventType) || dataJson.Contains("\\u0000", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            if (JsonNode.Parse(dataJson, documentOptions: Strict) is not JsonObject data || KeyOf(tenantId, data) is not { } key) return null;
            return eventType switch
            {
                EntityEvents.Created => new EntityChange(key, true, data["attributes"] is JsonObject attributes ? (JsonObject)attributes.DeepClone() : [],
                    new SortedSet<string>(StringComparer.Ordinal), EntityStatuses.Active, @event),
                EntityEvents.Updated => Updated(key, data, @event),
                _ => new EntityChange(key, false, [], new SortedSet<string>(StringComparer.Ordinal), EntityStatuses.Deleted, @event),
            };
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            // Not JSON, nested too deep, or a property twice: nothing the read model can rely on.
            return null;
        }
    }

    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>This change followed by <paramref name="later"/> (of the same record), as one.</summary>
    public void Then(EntityChange later)
    {
        if (later.Key != Key) throw new ArgumentException("Changes of different records do not compose.", nameof(later));
        if (later.ReplacesAttributes)
        {
            ReplacesAttributes = true;
            Set = (JsonObject)later.Set.DeepClone();
            Unknown.Clear();
            Unknown.UnionWith(later.Unknown);
            CreatedAt = later.CreatedAt;
        }
        else
        {
            foreach (var field in later.Unknown) Set.Remove(field);
            foreach (var (field, value) in later.Set) Set[field] = value?.DeepClone();
            Unknown.ExceptWith(later.Set.Select(p => p.Key));
            Unknown.UnionWith(later.Unknown);
        }
        if (later.Status is not null)
        {
            Status = later.Status;
            DeletedAt = later.DeletedAt;
        }
        Last = later.Last;
        Events += later.Events;
    }

    private static EntityKey? KeyOf(Guid tenantId, JsonObject data)
    {
        if (data["entity_id"] is not JsonValue idValue || idValue.GetValueKind() != JsonValueKind.String) return null;
        var id = idValue.GetValue<string>();
        if (id.Length is 0 or > EntityEvents.MaxIdLength) return null;
        var type = EntityEvents.Untyped;
        if (data["entity_type"] is { } typeNode)
        {
            if (typeNode is not JsonValue typeValue || typeValue.GetValueKind() != JsonValueKind.String) return null;
            var named = typeValue.GetValue<string>();
            if (named.Length > EntityEvents.MaxTypeLength) return null;
            if (named.Length > 0) type = named;
        }
        return new EntityKey(tenantId, type, id);
    }

    /// <summary>Every changes.{field}.to is set; a changed field without one becomes unknown.</summary>
    private static EntityChange Updated(EntityKey key, JsonObject data, StoredEventRef @event)
    {
        var set = new JsonObject();
        var changes = data["changes"] as JsonObject;
        foreach (var (field, change) in changes ?? [])
            if (change is JsonObject { } pair && pair.TryGetPropertyValue("to", out var to)) set[field] = to?.DeepClone();
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        if (data["changed_fields"] is JsonArray changed)
        {
            foreach (var item in changed)
                if (item is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } field && !set.ContainsKey(field))
                    unknown.Add(field);
        }
        return new EntityChange(key, false, set, unknown, null, @event);
    }
}

/// <summary>The event a change comes from: its id, type, when it was accepted, and its position in the log.</summary>
public sealed record StoredEventRef(Guid EventId, string EventType, DateTimeOffset At, long Sequence);
