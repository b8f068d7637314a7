using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Events;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Ingested events into <c>events</c>. The row's sequence is the global_seq of its EventAccepted:
/// unique, increasing with time, and the keyset the event list pages over.
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

    /// <summary>
    /// Batch ingestion appends up to 100 EventAccepted at once: each run of them is one insert from
    /// arrays (same statement as above); anything else is applied one by one, in order.
    /// </summary>
    public async Task ApplyBatchAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        var run = new List<(EventAccepted Event, long Sequence)>();
        foreach (var @event in events)
        {
            if (@event.Data is EventAccepted accepted)
            {
                run.Add((accepted, @event.GlobalSequence));
                continue;
            }
            await InsertAcceptedAsync(connection, transaction, run, ct);
            run.Clear();
            await ApplyAsync(connection, transaction, @event, ct);
        }
        await InsertAcceptedAsync(connection, transaction, run, ct);
    }

    private static async Task InsertAcceptedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<(EventAccepted Event, long Sequence)> run, CancellationToken ct)
    {
        if (run.Count == 0) return;
        await using var command = Sql.Command(connection, transaction, """
            insert into events (id, tenant_id, event_type, data, timestamp, status, dispatched_at, sequence)
            select u.id, u.tenant_id, u.event_type, u.data, u.timestamp, 'accepted', null, u.sequence
            from unnest(@ids::uuid[], @tenant_ids::uuid[], @event_types::text[], @data::jsonb[], @timestamps::timestamptz[], @sequences::bigint[])
                as u(id, tenant_id, event_type, data, timestamp, sequence)
            on conflict (id) do update set tenant_id = excluded.tenant_id, event_type = excluded.event_type, data = excluded.data,
                timestamp = excluded.timestamp, status = excluded.status, dispatched_at = null, sequence = excluded.sequence
            """, ("ids", run.Select(r => r.Event.EventId).ToArray()), ("tenant_ids", run.Select(r => r.Event.TenantId).ToArray()),
            ("event_types", run.Select(r => r.Event.EventType).ToArray()), ("sequences", run.Select(r => r.Sequence).ToArray()));
        command.Parameters.Add(SqlArrays.Jsonb("data", run.Select(r => r.Event.DataJson)));
        command.Parameters.Add(SqlArrays.Timestamps("timestamps", run.Select(r => (DateTimeOffset?)r.Event.Timestamp)));
        await command.ExecuteNonQueryAsync(ct);
    }
}
