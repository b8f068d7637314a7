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
                    command.Parameters.AddJsonb("data", e.DataJson);
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

    public async Task ApplyBatchAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        // An event is dispatched only after it was accepted, so applying the acceptances first keeps each row's order.
        foreach (var accepted in events.Where(e => e.Data is EventAccepted)) await ApplyAsync(connection, transaction, accepted, ct);
        var dispatched = events.Select(e => e.Data).OfType<EventDispatched>().ToList();
        if (dispatched.Count == 0) return;
        await Sql.ExecuteAsync(connection, transaction, """
            update events e set status = 'dispatched', dispatched_at = d.dispatched_at
            from unnest(@ids::uuid[], @dispatched_at::timestamptz[]) as d(id, dispatched_at)
            where e.id = d.id and e.id = any(@ids)
            """, ct, ("ids", dispatched.Select(d => d.EventId).ToArray()), ("dispatched_at", dispatched.Select(d => Sql.Utc(d.DispatchedAt)).ToArray()));
    }
}
