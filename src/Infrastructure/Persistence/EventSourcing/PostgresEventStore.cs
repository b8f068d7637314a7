using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Persistence.Projections;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.EventSourcing;

/// <summary>
/// The event store on PostgreSQL (ADR 0002). An append inserts the events at the stream's next
/// versions, which es_events' unique (stream_id, stream_version) lets only one writer do, and runs
/// the inline projections, all in one transaction: the caller's unit of work when one is open,
/// otherwise a transaction of its own.
/// </summary>
public sealed class PostgresEventStore(
    DbSession session,
    EventTypeRegistry registry,
    IEnumerable<IProjection> projections,
    IRequestContext context) : IEventStore
{
    /// <summary>
    /// The append and its optimistic concurrency check in one statement (ADR 0002). A version that
    /// another writer holds, committed or not, is skipped by ON CONFLICT (after waiting for that
    /// writer to finish), so a lost race leaves the transaction usable and the actual version can
    /// be read; a stream without its expected version (fewer events) inserts nothing at all: the
    /// guard is uncorrelated, one index lookup before any row.
    /// </summary>
    private const string InsertEvents = """
        insert into es_events (event_id, stream_id, stream_version, event_type, data, metadata, tenant_id)
        select u.event_id, @stream_id::text, u.stream_version, u.event_type, u.data, @metadata::jsonb, @tenant_id::uuid
        from unnest(@event_ids::uuid[], @versions::bigint[], @event_types::text[], @data::jsonb[]) with ordinality as u(event_id, stream_version, event_type, data, n)
        where @expected::bigint = 0 or exists (select 1 from es_events p where p.stream_id = @stream_id::text and p.stream_version = @expected::bigint)
        order by u.n
        on conflict on constraint es_events_stream_version_key do nothing
        returning event_id, global_seq, created_at
        """;

    private readonly IReadOnlyList<IProjection> _projections = projections.ToList();

    public Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(string streamId, CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<StoredEvent>>(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction,
                StoredEventRows.Select + " where stream_id = @stream_id order by stream_version", ("stream_id", streamId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var events = new List<StoredEvent>();
            while (await reader.ReadAsync(ct)) events.Add(StoredEventRows.Read(reader, registry));
            return events;
        }, ct);

    public Task<AppendResult> AppendAsync(string streamId, long expectedVersion, IReadOnlyList<object> events, Guid? tenantId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        if (events.Count == 0) throw new ArgumentException("An append needs at least one event.", nameof(events));

        // Serialized before any SQL runs: an unregistered event type fails without touching the database.
        var pending = events.Select((e, i) => new PendingEvent(
            Guid.CreateVersion7(), expectedVersion + 1 + i, registry.NameOf(e.GetType()), registry.Serialize(e), e)).ToList();
        var metadata = new EventMetadata(tenantId, context.CorrelationId, context.CausationId, context.Actor);

        return session.InTransactionAsync(token => session.RunAsync(
            (connection, transaction) => AppendInTransactionAsync(connection, transaction!, streamId, expectedVersion, pending, metadata, token), token), ct);
    }

    private async Task<AppendResult> AppendInTransactionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string streamId, long expectedVersion, IReadOnlyList<PendingEvent> pending, EventMetadata metadata, CancellationToken ct)
    {
        var stored = await InsertEventsAsync(connection, transaction, streamId, expectedVersion, pending, metadata, ct);
        foreach (var @event in stored)
        foreach (var projection in _projections)
        {
            if (projection.Handles.Contains(@event.Data.GetType())) await projection.ApplyAsync(connection, transaction, @event, ct);
        }
        return new AppendResult(expectedVersion + pending.Count, stored.Select(e => e.GlobalSequence).ToList());
    }

    private static async Task<IReadOnlyList<StoredEvent>> InsertEventsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string streamId, long expectedVersion, IReadOnlyList<PendingEvent> pending, EventMetadata metadata, CancellationToken ct)
    {
        await using var command = Sql.Command(connection, transaction, InsertEvents, ("stream_id", streamId), ("expected", expectedVersion));
        command.Parameters.AddValue("event_ids", pending.Select(e => e.EventId).ToArray());
        command.Parameters.AddValue("versions", pending.Select(e => e.StreamVersion).ToArray());
        command.Parameters.AddValue("event_types", pending.Select(e => e.EventType).ToArray());
        command.Parameters.Add(SqlArrays.Jsonb("data", pending.Select(e => e.Json)));
        command.Parameters.AddJsonb("metadata", StoredEventRows.SerializeMetadata(metadata));
        command.Parameters.AddValue("tenant_id", metadata.TenantId);

        var written = await StoredEventRows.ReadWrittenAsync(command, ct);
        if (written.Count != pending.Count)
        {
            // Some versions were taken: the ones that were not are taken back, so the caller's unit of work holds none of this append.
            if (written.Count > 0)
                await Sql.ExecuteAsync(connection, transaction, "delete from es_events where global_seq = any(@seqs)", ct,
                    ("seqs", written.Values.Select(w => w.GlobalSequence).ToArray()));
            throw new ConcurrencyConflictException(streamId, expectedVersion, await CurrentVersionAsync(connection, transaction, streamId, ct), retryable: true);
        }
        return pending
            .Select(e => new StoredEvent(e.EventId, streamId, e.StreamVersion, written[e.EventId].GlobalSequence, e.EventType, e.Data, metadata,
                written[e.EventId].CreatedAt))
            .ToList();
    }

    private static async Task<long> CurrentVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string streamId, CancellationToken ct)
    {
        await using var command = Sql.Command(connection, transaction,
            "select coalesce(max(stream_version), 0) from es_events where stream_id = @stream_id", ("stream_id", streamId));
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private sealed record PendingEvent(Guid EventId, long StreamVersion, string EventType, string Json, object Data);
}
