using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Domain.Events;
using Npgsql;
using NpgsqlTypes;

namespace Integrations.Bench.EventAppend.Baseline;

/// <summary>
/// The event log as it was before Marten (release 2026-12-06, PostgresBatchEventStore): one
/// set-based insert into es_events whose guard is the optimistic concurrency check, then the
/// events read model from arrays. Copied, statement for statement, as the baseline; the database
/// it runs on is migrated only up to 0021, the schema of that release.
/// </summary>
public sealed class EsEventsAppend(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = JsonDefaults.Create();

    /// <param name="appends">New events, each for its own stream at its expected version (0: a new stream).</param>
    public async Task AppendAsync(IReadOnlyList<(string StreamId, long ExpectedVersion, object Event, Guid TenantId)> appends, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var ids = appends.Select(_ => Guid.CreateVersion7()).ToArray();
        var metadata = appends.Select(a => JsonSerializer.Serialize(new { tenant_id = a.TenantId, correlation_id = "bench", causation_id = (string?)null, actor = "bench" }, Json)).ToArray();
        var extended = appends.Where(a => a.ExpectedVersion != 0).ToList();
        long[] sequences;
        await using (var insert = new NpgsqlCommand("""
            insert into es_events (event_id, stream_id, stream_version, event_type, data, metadata, tenant_id)
            select * from unnest(@event_ids::uuid[], @stream_ids::text[], @versions::bigint[], @event_types::text[], @data::jsonb[], @metadata::jsonb[], @tenant_ids::uuid[])
            where (select count(*) from unnest(@extended_ids::text[], @expected::bigint[]) as x(stream_id, version)
                   cross join lateral (select 1 from es_events p where p.stream_id = x.stream_id and p.stream_version = x.version limit 1) found)
                  = cardinality(@extended_ids::text[])
            returning event_id, global_seq, created_at
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("event_ids", ids);
            insert.Parameters.AddWithValue("stream_ids", appends.Select(a => a.StreamId).ToArray());
            insert.Parameters.AddWithValue("versions", appends.Select(a => a.ExpectedVersion + 1).ToArray());
            insert.Parameters.AddWithValue("event_types", appends.Select(a => a.Event.GetType().Name).ToArray());
            insert.Parameters.Add(new NpgsqlParameter("data", NpgsqlDbType.Array | NpgsqlDbType.Jsonb)
                { Value = appends.Select(a => JsonSerializer.Serialize(a.Event, a.Event.GetType(), Json)).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("metadata", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = metadata });
            insert.Parameters.AddWithValue("tenant_ids", appends.Select(a => a.TenantId).ToArray());
            insert.Parameters.AddWithValue("extended_ids", extended.Select(a => a.StreamId).ToArray());
            insert.Parameters.AddWithValue("expected", extended.Select(a => a.ExpectedVersion).ToArray());
            var written = new Dictionary<Guid, long>();
            await using (var reader = await insert.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) written[reader.GetGuid(0)] = reader.GetInt64(1);
            if (written.Count != appends.Count) throw new InvalidOperationException("The baseline's concurrency guard refused a batch.");
            sequences = ids.Select(id => written[id]).ToArray();
        }

        var accepted = appends.Select((a, i) => (a.Event as EventAccepted, sequences[i])).Where(x => x.Item1 is not null).ToList();
        if (accepted.Count > 0)
        {
            await using var command = new NpgsqlCommand("""
                insert into events (id, tenant_id, event_type, data, timestamp, status, dispatched_at, sequence)
                select u.id, u.tenant_id, u.event_type, u.data, u.timestamp, 'accepted', null, u.sequence
                from unnest(@ids::uuid[], @tenant_ids::uuid[], @event_types::text[], @data::json[], @timestamps::timestamptz[], @sequences::bigint[])
                    as u(id, tenant_id, event_type, data, timestamp, sequence)
                on conflict (id) do update set tenant_id = excluded.tenant_id, event_type = excluded.event_type, data = excluded.data,
                    timestamp = excluded.timestamp, status = excluded.status, dispatched_at = null, sequence = excluded.sequence
                """, connection, transaction);
            command.Parameters.AddWithValue("ids", accepted.Select(r => r.Item1!.EventId).ToArray());
            command.Parameters.AddWithValue("tenant_ids", accepted.Select(r => r.Item1!.TenantId).ToArray());
            command.Parameters.AddWithValue("event_types", accepted.Select(r => r.Item1!.EventType).ToArray());
            command.Parameters.Add(new NpgsqlParameter("data", NpgsqlDbType.Array | NpgsqlDbType.Json) { Value = accepted.Select(r => r.Item1!.DataJson).ToArray() });
            command.Parameters.AddWithValue("timestamps", accepted.Select(r => r.Item1!.Timestamp.UtcDateTime).ToArray());
            command.Parameters.AddWithValue("sequences", accepted.Select(r => r.Item2).ToArray());
            await command.ExecuteNonQueryAsync(ct);
        }
        var dispatched = appends.Select(a => a.Event).OfType<EventDispatched>().ToList();
        if (dispatched.Count > 0)
        {
            await using var command = new NpgsqlCommand("""
                update events e set status = 'dispatched', dispatched_at = d.dispatched_at
                from unnest(@ids::uuid[], @dispatched_at::timestamptz[]) as d(id, dispatched_at)
                where e.id = d.id and e.id = any(@ids)
                """, connection, transaction);
            command.Parameters.AddWithValue("ids", dispatched.Select(d => d.EventId).ToArray());
            command.Parameters.AddWithValue("dispatched_at", dispatched.Select(d => d.DispatchedAt.UtcDateTime).ToArray());
            await command.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }
}
