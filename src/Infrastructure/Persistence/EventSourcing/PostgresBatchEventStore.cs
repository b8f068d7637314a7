using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Persistence.Projections;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.EventSourcing;

/// <summary>
/// <see cref="IBatchEventStore"/> on the same tables as <see cref="PostgresEventStore"/>: a read of
/// many streams is one query, an append of many streams is one set-based insert plus the inline
/// projections, batch-applied where they can be.
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
        var stored = await InsertEventsAsync(connection, transaction, appends, pending, ct);
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
    /// The events of every stream in one statement, which is also the optimistic concurrency check
    /// (ADR 0002): a version someone else wrote meanwhile fails the log's unique (stream_id,
    /// stream_version); a stream that is not at its expected version at all (fewer events) fails the
    /// statement's guard, which looks up each extended stream's expected version once, and then
    /// nothing is inserted. Either way the batch is re-read and re-decided, so neither needs to say
    /// which stream lost. The guard's lookups are a nested loop by construction (a lateral subquery
    /// with a limit), whatever the planner believes about the size of es_events.
    /// </summary>
    private static async Task<IReadOnlyList<StoredEvent>> InsertEventsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<StreamAppend> appends, IReadOnlyList<Pending> pending, CancellationToken ct)
    {
        var extended = appends.Where(a => a.ExpectedVersion != IEventStore.NoStream).ToList();
        // unnest keeps the array order, so global_seq grows with each stream's versions.
        await using var command = Sql.Command(connection, transaction, """
            insert into es_events (event_id, stream_id, stream_version, event_type, data, metadata, tenant_id)
            select * from unnest(@event_ids::uuid[], @stream_ids::text[], @versions::bigint[], @event_types::text[], @data::jsonb[], @metadata::jsonb[], @tenant_ids::uuid[])
            where (select count(*) from unnest(@extended_ids::text[], @expected::bigint[]) as x(stream_id, version)
                   cross join lateral (select 1 from es_events p where p.stream_id = x.stream_id and p.stream_version = x.version limit 1) found)
                  = cardinality(@extended_ids::text[])
            returning event_id, global_seq, created_at
            """);
        command.Parameters.AddValue("event_ids", pending.Select(p => p.EventId).ToArray());
        command.Parameters.AddValue("stream_ids", pending.Select(p => p.Append.StreamId).ToArray());
        command.Parameters.AddValue("versions", pending.Select(p => p.StreamVersion).ToArray());
        command.Parameters.AddValue("event_types", pending.Select(p => p.EventType).ToArray());
        command.Parameters.Add(SqlArrays.Jsonb("data", pending.Select(p => p.Json)));
        command.Parameters.Add(SqlArrays.Jsonb("metadata", pending.Select(p => p.MetadataJson)));
        command.Parameters.AddValue("tenant_ids", pending.Select(p => p.Append.TenantId).ToArray());
        command.Parameters.AddValue("extended_ids", extended.Select(a => a.StreamId).ToArray());
        command.Parameters.AddValue("expected", extended.Select(a => a.ExpectedVersion).ToArray());

        Dictionary<Guid, (long GlobalSequence, DateTimeOffset CreatedAt)> written;
        try
        {
            written = await StoredEventRows.ReadWrittenAsync(command, ct);
        }
        catch (PostgresException ex) when (ex is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "es_events_stream_version_key" })
        {
            throw new ConcurrencyConflictException(pending[0].Append.StreamId, pending[0].Append.ExpectedVersion, actualVersion: null, retryable: true);
        }
        // The guard let nothing in: some stream has fewer events than its append expected.
        if (written.Count != pending.Count)
            throw new ConcurrencyConflictException(extended[0].StreamId, extended[0].ExpectedVersion, actualVersion: null, retryable: true);

        return pending
            .Select(p => new StoredEvent(p.EventId, p.Append.StreamId, p.StreamVersion, written[p.EventId].GlobalSequence, p.EventType, p.Data,
                p.Metadata, written[p.EventId].CreatedAt))
            .OrderBy(e => e.GlobalSequence)
            .ToList();
    }

    private sealed record Pending(
        Guid EventId, StreamAppend Append, long StreamVersion, string EventType, string Json, EventMetadata Metadata, string MetadataJson, object Data);
}
