using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Events;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Ingested events into <c>events</c>. The row's sequence is the global_seq of its EventAccepted:
/// unique, increasing with time, and the keyset the event list pages over. The Workers host marks
/// events dispatched a batch at a time: those updates are one statement per batch.
/// </summary>
public sealed class EventsProjection : IBatchProjection
{
    public string Name => "events";

    public IReadOnlyList<string> Tables { get; } = ["events"];

    public IReadOnlySet<Type> Handles { get; } = new HashSet<Type> { typeof(EventAccepted), typeof(EventDispatched) };

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, StoredEvent @event, CancellationToken ct)
    {
        switch (@event.Data)
        {
            case EventAccepted e:
                await using (var command = Sql.Command(connection, transaction, """
                    insert into events (id, tenant_id, event_type, data, timestamp, status, dispatched_at, sequence)
                    values (@id, @tenant_id, @event_type, @data, @timestamp, 'accepted', null, @sequence)
                    on conflict (id) do update set tenant_id = excluded.tenant_id, event_type = excluded.event_type, data = excluded.data,
                        timestamp = excluded.timestamp, status = excluded.status, dispatched_at = null, sequence = excluded.sequence
                    """, ("id", e.EventId), ("tenant_id", e.TenantId), ("event_type", e.EventType), ("timestamp", Sql.Utc(e.Timestamp)),
                    ("sequence", @event.GlobalSequence)))
                {
                    command.Parameters.Add(new NpgsqlParameter("data", NpgsqlTypes.NpgsqlDbType.Json) { Value = e.DataJson });
                    await command.ExecuteNonQueryAsync(ct);
                }
                break;
            case EventDispatched e:
                await Sql.ExecuteAsync(connection, transaction,
                    "update events set status = 'dispatched', dispatched_at = @dispatched_at where id = @id",
                    ct, ("id", e.EventId), ("dispatched_at", Sql.Utc(e.DispatchedAt)));
                break;
        }
    }

    /// <summary>
    /// Set-based: the acceptances (batch ingestion appends up to 100 at once) are one insert from
    /// arrays, the dispatches (the Workers host marks a batch at a time) one update. An event is
    /// dispatched only after it was accepted, so applying the acceptances first keeps each row's order.
    /// </summary>
    public async Task ApplyBatchAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        var accepted = events.Where(e => e.Data is EventAccepted).Select(e => ((EventAccepted)e.Data, e.GlobalSequence)).ToList();
        await InsertAcceptedAsync(connection, transaction, accepted, ct);
        var dispatched = events.Select(e => e.Data).OfType<EventDispatched>().ToList();
        if (dispatched.Count == 0) return;
        await Sql.ExecuteAsync(connection, transaction, """
            update events e set status = 'dispatched', dispatched_at = d.dispatched_at
            from unnest(@ids::uuid[], @dispatched_at::timestamptz[]) as d(id, dispatched_at)
            where e.id = d.id and e.id = any(@ids)
            """, ct, ("ids", dispatched.Select(d => d.EventId).ToArray()), ("dispatched_at", dispatched.Select(d => Sql.Utc(d.DispatchedAt)).ToArray()));
    }

    private static async Task InsertAcceptedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<(EventAccepted Event, long Sequence)> accepted, CancellationToken ct)
    {
        if (accepted.Count == 0) return;
        await using var command = Sql.Command(connection, transaction, """
            insert into events (id, tenant_id, event_type, data, timestamp, status, dispatched_at, sequence)
            select u.id, u.tenant_id, u.event_type, u.data, u.timestamp, 'accepted', null, u.sequence
            from unnest(@ids::uuid[], @tenant_ids::uuid[], @event_types::text[], @data::json[], @timestamps::timestamptz[], @sequences::bigint[])
                as u(id, tenant_id, event_type, data, timestamp, sequence)
            on conflict (id) do update set tenant_id = excluded.tenant_id, event_type = excluded.event_type, data = excluded.data,
                timestamp = excluded.timestamp, status = excluded.status, dispatched_at = null, sequence = excluded.sequence
            """, ("ids", accepted.Select(r => r.Event.EventId).ToArray()), ("tenant_ids", accepted.Select(r => r.Event.TenantId).ToArray()),
            ("event_types", accepted.Select(r => r.Event.EventType).ToArray()), ("sequences", accepted.Select(r => r.Sequence).ToArray()));
        command.Parameters.Add(SqlArrays.Json("data", accepted.Select(r => r.Event.DataJson)));
        command.Parameters.Add(SqlArrays.Timestamps("timestamps", accepted.Select(r => (DateTimeOffset?)r.Event.Timestamp)));
        await command.ExecuteNonQueryAsync(ct);
    }
}
