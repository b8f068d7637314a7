using System.Text.Json;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;

namespace Integrations.Application.Entities;

/// <summary>
/// A product record's latest state, from the product's entity.created / entity.updated /
/// entity.deleted events (the entities read model). The timestamps are when the platform accepted
/// the events, like an event's timestamp; the product's own times are in its events' data.
/// </summary>
/// <param name="Id">The read model's id of the record: derived from tenant, type and entity id, so the same after a rebuild.</param>
/// <param name="EntityType">The events' entity_type; "untyped" for events that named none.</param>
/// <param name="EntityId">The record's id in the product (the events' entity_id).</param>
/// <param name="Attributes">The fields as the events gave them: entity.created's attributes, then every changes.{field}.to.</param>
/// <param name="UnknownFields">Fields an update named in changed_fields without their new value: not in attributes until an event gives it.</param>
/// <param name="Status">active, or deleted (attributes keep the last known values).</param>
/// <param name="CreatedAt">When its entity.created was accepted; null when only its updates or deletion were seen.</param>
/// <param name="Version">How many entity events it has had.</param>
/// <param name="Sequence">The event store sequence of the last event applied: compare it with an event's sequence to know whether the read model has caught up with it.</param>
public sealed record EntityDto(
    Guid Id,
    string EntityType,
    string EntityId,
    string Status,
    JsonElement Attributes,
    IReadOnlyList<string> UnknownFields,
    DateTimeOffset? CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeletedAt,
    long Version,
    Guid LastEventId,
    string LastEventType,
    long Sequence);

/// <summary>The entities read model (an async projection kept by the Workers' projections pipeline).</summary>
public interface IEntityReadModel
{
    Task<EntityDto?> FindAsync(Guid tenantId, string entityType, string entityId, CancellationToken ct);

    Task<CursorPage<EntityDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct);
}
