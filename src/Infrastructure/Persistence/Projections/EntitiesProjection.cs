using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Entities;
using Integrations.Domain.Events;
using JasperFx.Events.Projections;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// The product's entity.* events into <c>entities</c>: each record's latest state (ADR 0015).
/// Async, kept by Marten's daemon (the Workers' projections pipeline): the daemon applies pages
/// strictly in log order, so the state is the same live and after a rebuild, and the writes stay
/// off event ingestion, the platform's hottest path; lookups lag the events by the daemon's poll.
/// A page's events are composed per record (<see cref="EntityChange.Then"/>) and written in one
/// statement: an update of the records that exist, an insert of the others. The statement is
/// <see cref="EntityState.Apply"/> in SQL. Events the read model cannot key are skipped
/// (<see cref="EntityChange.FromEvent"/>), never a failure that would stop the daemon.
/// </summary>
public sealed class EntitiesProjection : SqlProjection
{
    public override string Name => "entities";

    public override IReadOnlyList<string> Tables { get; } = ["entities"];

    public override IReadOnlySet<Type> Handles { get; } = new HashSet<Type> { typeof(EventAccepted) };

    public override ProjectionLifecycle Lifecycle => ProjectionLifecycle.Async;

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events)
    {
        var changes = new Dictionary<Guid, EntityChange>();
        foreach (var stored in events)
        {
            if (stored.Data is not EventAccepted accepted || !EntityEvents.All.Contains(accepted.EventType)) continue;
            var change = EntityChange.FromEvent(accepted.TenantId, accepted.EventType, accepted.DataJson,
                new StoredEventRef(accepted.EventId, accepted.EventType, accepted.Timestamp, stored.GlobalSequence));
            if (change is null) continue;
            if (changes.TryGetValue(change.Key.RowId, out var earlier)) earlier.Then(change);
            else changes[change.Key.RowId] = change;
        }
        if (changes.Count == 0) yield break;

        var rows = changes.Values.ToList();
        yield return new SqlStatement("""
            with c as (
                select * from unnest(@ids::uuid[], @tenant_ids::uuid[], @entity_types::text[], @entity_ids::text[], @replaces::boolean[],
                                     @set_fields::jsonb[], @unknown_now::jsonb[], @statuses::text[], @created_at::timestamptz[],
                                     @deleted_at::timestamptz[], @updated_at::timestamptz[], @event_counts::int[], @event_ids::uuid[],
                                     @event_types::text[], @sequences::bigint[])
                    as c(id, tenant_id, entity_type, entity_id, replaces, set_fields, unknown_now, status, created_at, deleted_at, updated_at,
                         event_count, event_id, event_type, sequence)
            ),
            changed as (
                update entities e set
                    attributes = case when c.replaces then c.set_fields
                                      else (e.attributes - array(select jsonb_array_elements_text(c.unknown_now))) || c.set_fields end,
                    unknown_fields = case when c.replaces then array(select jsonb_array_elements_text(c.unknown_now) order by 1)
                                          else array(select f from unnest(e.unknown_fields) as f where not c.set_fields ? f
                                                     union select jsonb_array_elements_text(c.unknown_now) order by 1) end,
                    status = coalesce(c.status, e.status),
                    created_at = case when c.replaces then c.created_at else e.created_at end,
                    deleted_at = case c.status when 'deleted' then c.deleted_at when 'active' then null else e.deleted_at end,
                    updated_at = c.updated_at, version = e.version + c.event_count, last_event_id = c.event_id,
                    last_event_type = c.event_type, sequence = c.sequence
                from c
                where e.id = c.id
                returning e.id
            )
            insert into entities (id, tenant_id, entity_type, entity_id, status, attributes, unknown_fields, created_at, updated_at, deleted_at,
                                  version, last_event_id, last_event_type, sequence)
            select c.id, c.tenant_id, c.entity_type, c.entity_id, coalesce(c.status, 'active'), c.set_fields,
                   array(select jsonb_array_elements_text(c.unknown_now) order by 1), c.created_at, c.updated_at,
                   case when c.status = 'deleted' then c.deleted_at end, c.event_count, c.event_id, c.event_type, c.sequence
            from c
            where c.id not in (select id from changed)
            """)
            .With("ids", rows.Select(r => r.Key.RowId).ToArray())
            .With("tenant_ids", rows.Select(r => r.Key.TenantId).ToArray())
            .With("entity_types", rows.Select(r => r.Key.Type).ToArray())
            .With("entity_ids", rows.Select(r => r.Key.Id).ToArray())
            .With("replaces", rows.Select(r => r.ReplacesAttributes).ToArray())
            .With("set_fields", rows.Select(r => r.Set.ToJsonString()).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Jsonb)
            .With("unknown_now", rows.Select(r => JsonSerializer.Serialize(r.Unknown, JsonDefaults.Options)).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Jsonb)
            .With("statuses", rows.Select(r => r.Status).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
            .WithTimestamps("created_at", rows.Select(r => r.CreatedAt))
            .WithTimestamps("deleted_at", rows.Select(r => r.DeletedAt))
            .WithTimestamps("updated_at", rows.Select(r => (DateTimeOffset?)r.Last.At))
            .With("event_counts", rows.Select(r => r.Events).ToArray())
            .With("event_ids", rows.Select(r => r.Last.EventId).ToArray())
            .With("event_types", rows.Select(r => r.Last.EventType).ToArray())
            .With("sequences", rows.Select(r => r.Last.Sequence).ToArray());
    }
}
