using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Events;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Ingested events into <c>events</c>. The row's sequence is the global sequence of its
/// EventAccepted: unique, increasing with time, and the keyset the event list pages over. Data is
/// kept as the product published it (json, not jsonb). A batch of events costs one statement per kind.
/// </summary>
public sealed class EventsProjection : SqlProjection
{
    public override string Name => "events";

    public override IReadOnlyList<string> Tables { get; } = ["events"];

    public override IReadOnlySet<Type> Handles { get; } = new HashSet<Type> { typeof(EventAccepted), typeof(EventDispatched) };

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events)
    {
        var accepted = events.Where(e => e.Data is EventAccepted).Select(e => ((EventAccepted)e.Data, e.GlobalSequence)).ToList();
        if (accepted.Count > 0)
        {
            yield return new SqlStatement("""
                insert into events (id, tenant_id, event_type, data, timestamp, status, dispatched_at, sequence)
                select u.id, u.tenant_id, u.event_type, u.data, u.timestamp, 'accepted', null, u.sequence
                from unnest(@ids::uuid[], @tenant_ids::uuid[], @event_types::text[], @data::json[], @timestamps::timestamptz[], @sequences::bigint[])
                    as u(id, tenant_id, event_type, data, timestamp, sequence)
                on conflict (id) do update set tenant_id = excluded.tenant_id, event_type = excluded.event_type, data = excluded.data,
                    timestamp = excluded.timestamp, status = excluded.status, dispatched_at = null, sequence = excluded.sequence
                """)
                .With("ids", accepted.Select(r => r.Item1.EventId).ToArray())
                .With("tenant_ids", accepted.Select(r => r.Item1.TenantId).ToArray())
                .With("event_types", accepted.Select(r => r.Item1.EventType).ToArray())
                // json[] keeps each text as published (jsonb would normalise it).
                .With("data", accepted.Select(r => r.Item1.DataJson).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Json)
                .WithTimestamps("timestamps", accepted.Select(r => (DateTimeOffset?)r.Item1.Timestamp))
                .With("sequences", accepted.Select(r => r.GlobalSequence).ToArray());
        }
        var dispatched = events.Select(e => e.Data).OfType<EventDispatched>().ToList();
        if (dispatched.Count > 0)
        {
            yield return new SqlStatement("""
                update events e set status = 'dispatched', dispatched_at = d.dispatched_at
                from unnest(@ids::uuid[], @dispatched_at::timestamptz[]) as d(id, dispatched_at)
                where e.id = d.id and e.id = any(@ids)
                """)
                .With("ids", dispatched.Select(d => d.EventId).ToArray())
                .WithTimestamps("dispatched_at", dispatched.Select(d => (DateTimeOffset?)d.DispatchedAt));
        }
    }
}
