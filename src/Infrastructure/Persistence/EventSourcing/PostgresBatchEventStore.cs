using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Persistence.Projections;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.EventSourcing;

/// <summary>
/// <see cref="IBatchEventStore"/> on the same tables as <see cref="PostgresEventStore"/>: a read of
/// many streams is one query, an append of many streams is two set-based statements (claim the
/// versions, insert the events) plus the inline projections, batch-applied where they can be.
/// </summary>
public sealed class PostgresBatchEventStore(
    DbSession session,
    EventTypeRegistry registry,
    IEnumerable<IProjection> projections,
    IRequestContext context) : IBatchEventStore
{
    private readonly IReadOnlyList<IProjection> _projections = projections.ToList();

    public Task<IReadOnlyDictionary<string, IReadOnlyList<StoredEvent>>> ReadStreamsAsync(IReadOnlyCollection<string> streamIds, CancellationToken ct) =>
        session.RunAsync<IReadOnlyDictionary<string, IReadOnlyList<StoredEvent>>>(async (connection, transaction) =>
        {
            var streams = streamIds.Distinct().ToDictionary(id => id, _ => new List<StoredEvent>());
            // One index range scan per stream, whatever the statistics say: with `stream_id = any(...)` a
            // planner that still believes es_events small (it grows fast and autovacuum lags) scanned it
            // whole, 60 ms a call in the benchmark.
            await using var command = Sql.Command(connection, transaction,
                $"""
                select e.* from unnest(@stream_ids::text[]) as s(stream_id)
                cross join lateral ({StoredEventRows.Select} where stream_id = s.stream_id order by stream_version) e
                """, ("stream_ids", streams.Keys.ToArray()));
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var stored = StoredEventRows.Read(reader, registry);
                streams[stored.StreamId].Add(stored);
            }
            return streams.ToDictionary(s => s.Key, s => (IReadOnlyList<StoredEvent>)s.Value);
        }, ct);

    public Task<IReadOnlyList<StoredEvent>> AppendAsync(IReadOnlyList<StreamAppend> appends, CancellationToken ct)
    {
        if (appends.Count == 0) return Task.FromResult<IReadOnlyList<StoredEvent>>([]);
        if (appends.Select(a => a.StreamId).Distinct().Count() != appends.Count)
            throw new ArgumentException("A batch appends to each stream once.", nameof(appends));

        var pending = new List<Pending>();
        foreach (var append in appends)
        {
            if (append.Events.Count == 0) throw new ArgumentException($"The append to {append.StreamId} has no events.", nameof(appends));
            var origin = append.Origin ?? RequestOrigin.Of(context);
            var metadata = new EventMetadata(append.TenantId, origin.CorrelationId, origin.CausationId, origin.Actor);
            var metadataJson = StoredEventRows.SerializeMetadata(metadata);
            for (var i = 0; i < append.Events.Count; i++)
            {
                var e = append.Events[i];
                pending.Add(new Pending(Guid.CreateVersion7(), append, append.ExpectedVersion + 1 + i, registry.NameOf(e.GetType()), registry.Serialize(e),
                    metadata, metadataJson, e));
            }
        }
        return session.InTransactionAsync(token => session.RunAsync(
            (connection, transaction) => AppendInTransactionAsync(connection, transaction!, appends, pending, token), token), ct);
    }

    private async Task<IReadOnlyList<StoredEvent>> AppendInTransactionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<StreamAppend> appends, List<Pending> pending, CancellationToken ct)
    {
        await ClaimVersionsAsync(connection, transaction, appends, ct);
        var stored = await InsertEventsAsync(connection, transaction, pending, ct);
        foreach (var projection in _projections)
        {
            var relevant = stored.Where(e => projection.Handles.Contains(e.Data.GetType())).ToList();
            if (relevant.Count == 0) continue;
            if (projection is IBatchProjection batch) await batch.ApplyBatchAsync(connection, transaction, relevant, ct);
            else foreach (var e in relevant) await projection.ApplyAsync(connection, transaction, e, ct);
        }
        return stored;
    }

    /// <summary>
    /// The optimistic concurrency check for every stream at once: new streams are inserted (a
    /// stream someone else created meanwhile fails the insert), existing ones compare-and-set.
    /// Either way a lost race aborts the batch and it is retried from a fresh read, so the insert
    /// needs no ON CONFLICT: a speculative insertion probes the index once more and writes one more
    /// WAL record per row, for every delivery the fan-out creates. Fewer updated rows than moved
    /// streams is a lost race too. The
    /// <c>= any(@stream_ids)</c> beside the join gives the planner an index condition, so the
    /// update stays a primary-key lookup however large the table.
    /// </summary>
    private static async Task ClaimVersionsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<StreamAppend> appends, CancellationToken ct)
    {
        var created = appends.Where(a => a.ExpectedVersion == IEventStore.NoStream).ToList();
        var moved = appends.Where(a => a.ExpectedVersion != IEventStore.NoStream).ToList();
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (created.Count > 0)
        {
            var insert = new NpgsqlBatchCommand("""
                insert into es_streams (stream_id, stream_type, version, tenant_id)
                select * from unnest(@stream_ids::text[], @stream_types::text[], @versions::bigint[], @tenant_ids::uuid[])
                """);
            insert.Parameters.AddValue("stream_ids", created.Select(a => a.StreamId).ToArray());
            insert.Parameters.AddValue("stream_types", created.Select(a => StreamType(a.StreamId)).ToArray());
            insert.Parameters.AddValue("versions", created.Select(a => (long)a.Events.Count).ToArray());
            insert.Parameters.AddValue("tenant_ids", created.Select(a => a.TenantId).ToArray());
            batch.BatchCommands.Add(insert);
        }
        if (moved.Count > 0)
        {
            var update = new NpgsqlBatchCommand("""
                update es_streams s set version = u.version, updated_at = now()
                from unnest(@stream_ids::text[], @expected::bigint[], @versions::bigint[]) as u(stream_id, expected, version)
                where s.stream_id = u.stream_id and s.version = u.expected and s.stream_id = any(@stream_ids)
                """);
            update.Parameters.AddValue("stream_ids", moved.Select(a => a.StreamId).ToArray());
            update.Parameters.AddValue("expected", moved.Select(a => a.ExpectedVersion).ToArray());
            update.Parameters.AddValue("versions", moved.Select(a => a.ExpectedVersion + a.Events.Count).ToArray());
            batch.BatchCommands.Add(update);
        }
        try
        {
            await batch.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "es_streams_pkey" })
        {
            throw new ConcurrencyConflictException(created[0].StreamId, IEventStore.NoStream, actualVersion: null, retryable: true);
        }
        // Which stream lost is not worth a query: the whole batch is re-read and re-decided anyway.
        if (batch.BatchCommands.Cast<NpgsqlBatchCommand>().Sum(c => c.RecordsAffected) != appends.Count)
            throw new ConcurrencyConflictException(appends[0].StreamId, appends[0].ExpectedVersion, actualVersion: null, retryable: true);
    }

    private static async Task<IReadOnlyList<StoredEvent>> InsertEventsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<Pending> pending, CancellationToken ct)
    {
        // unnest keeps the array order, so global_seq grows with each stream's versions.
        await using var command = Sql.Command(connection, transaction, """
            insert into es_events (event_id, stream_id, stream_version, event_type, data, metadata, tenant_id)
            select * from unnest(@event_ids::uuid[], @stream_ids::text[], @versions::bigint[], @event_types::text[], @data::jsonb[], @metadata::jsonb[], @tenant_ids::uuid[])
            returning event_id, global_seq, created_at
            """);
        command.Parameters.AddValue("event_ids", pending.Select(p => p.EventId).ToArray());
        command.Parameters.AddValue("stream_ids", pending.Select(p => p.Append.StreamId).ToArray());
        command.Parameters.AddValue("versions", pending.Select(p => p.StreamVersion).ToArray());
        command.Parameters.AddValue("event_types", pending.Select(p => p.EventType).ToArray());
        command.Parameters.Add(SqlArrays.Jsonb("data", pending.Select(p => p.Json)));
        command.Parameters.Add(SqlArrays.Jsonb("metadata", pending.Select(p => p.MetadataJson)));
        command.Parameters.AddValue("tenant_ids", pending.Select(p => p.Append.TenantId).ToArray());

        var written = new Dictionary<Guid, (long GlobalSequence, DateTimeOffset CreatedAt)>(pending.Count);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) written[reader.GetGuid(0)] = (reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2));
        }
        catch (PostgresException ex) when (ex is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "es_events_stream_version_key" })
        {
            throw new ConcurrencyConflictException(pending[0].Append.StreamId, pending[0].Append.ExpectedVersion, actualVersion: null, retryable: true);
        }

        return pending
            .Select(p => new StoredEvent(p.EventId, p.Append.StreamId, p.StreamVersion, written[p.EventId].GlobalSequence, p.EventType, p.Data,
                p.Metadata, written[p.EventId].CreatedAt))
            .OrderBy(e => e.GlobalSequence)
            .ToList();
    }

    /// <summary>"webhook_delivery-0f3a…" is of type "webhook_delivery", as <see cref="PostgresEventStore"/> names them.</summary>
    private static string StreamType(string streamId)
    {
        var dash = streamId.IndexOf('-', StringComparison.Ordinal);
        return dash < 0 ? streamId : streamId[..dash];
    }

    private sealed record Pending(
        Guid EventId, StreamAppend Append, long StreamVersion, string EventType, string Json, EventMetadata Metadata, string MetadataJson, object Data);
}
