using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Persistence.Projections;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.EventSourcing;

/// <summary>
/// The event store on PostgreSQL (ADR 0002). An append claims the stream's next version in
/// es_streams, inserts the events and runs the inline projections, all in one transaction: the
/// caller's unit of work when one is open, otherwise a transaction of its own.
/// </summary>
public sealed class PostgresEventStore(
    DbSession session,
    EventTypeRegistry registry,
    IEnumerable<IProjection> projections,
    IRequestContext context) : IEventStore
{
    private const string InsertEvent = """
        insert into es_events (event_id, stream_id, stream_version, event_type, data, metadata, tenant_id)
        values (@event_id, @stream_id, @stream_version, @event_type, @data, @metadata, @tenant_id)
        returning global_seq, created_at
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
        var newVersion = expectedVersion + pending.Count;
        IReadOnlyList<StoredEvent> stored;
        if (expectedVersion == IEventStore.NoStream && pending.Count == 1)
        {
            // The most common append (every accepted event starts a stream of one event): claim and
            // insert in one statement.
            stored = await CreateWithEventAsync(connection, transaction, streamId, pending[0], metadata, ct) is { } created
                ? [created]
                : throw new ConcurrencyConflictException(streamId, expectedVersion, await CurrentVersionAsync(connection, transaction, streamId, ct), retryable: true);
        }
        else
        {
            if (!await ClaimVersionAsync(connection, transaction, streamId, expectedVersion, newVersion, metadata.TenantId, ct))
            {
                var actual = await CurrentVersionAsync(connection, transaction, streamId, ct);
                throw new ConcurrencyConflictException(streamId, expectedVersion, actual, retryable: true);
            }
            stored = await InsertEventsAsync(connection, transaction, streamId, expectedVersion, pending, metadata, ct);
        }
        foreach (var @event in stored)
        foreach (var projection in _projections)
        {
            if (projection.Handles.Contains(@event.Data.GetType())) await projection.ApplyAsync(connection, transaction, @event, ct);
        }
        return new AppendResult(newVersion, stored.Select(e => e.GlobalSequence).ToList());
    }

    /// <summary>
    /// The optimistic concurrency check. A competing writer's uncommitted claim blocks these
    /// statements until it commits or rolls back, so exactly one writer wins each version.
    /// </summary>
    private static async Task<bool> ClaimVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string streamId, long expectedVersion, long newVersion, Guid? tenantId, CancellationToken ct)
    {
        var rows = expectedVersion == IEventStore.NoStream
            ? await Sql.ExecuteAsync(connection, transaction, """
                insert into es_streams (stream_id, stream_type, version, tenant_id)
                values (@stream_id, @stream_type, @version, @tenant_id)
                on conflict (stream_id) do nothing
                """, ct, ("stream_id", streamId), ("stream_type", StreamType(streamId)), ("version", newVersion), ("tenant_id", tenantId))
            : await Sql.ExecuteAsync(connection, transaction, """
                update es_streams set version = @version, updated_at = now()
                where stream_id = @stream_id and version = @expected
                """, ct, ("stream_id", streamId), ("version", newVersion), ("expected", expectedVersion));
        return rows == 1;
    }

    /// <summary>
    /// A new stream with its first event: the event is inserted only if the stream row was (the
    /// same concurrency check as <see cref="ClaimVersionAsync"/>). Null when the stream exists.
    /// </summary>
    private static async Task<StoredEvent?> CreateWithEventAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string streamId, PendingEvent e, EventMetadata metadata, CancellationToken ct)
    {
        await using var command = Sql.Command(connection, transaction, """
            with created as (
                insert into es_streams (stream_id, stream_type, version, tenant_id)
                values (@stream_id, @stream_type, 1, @tenant_id)
                on conflict (stream_id) do nothing
                returning stream_id)
            insert into es_events (event_id, stream_id, stream_version, event_type, data, metadata, tenant_id)
            select @event_id, stream_id, 1, @event_type, @data, @metadata, @tenant_id from created
            returning global_seq, created_at
            """, ("stream_id", streamId), ("stream_type", StreamType(streamId)), ("event_id", e.EventId), ("event_type", e.EventType));
        command.Parameters.AddValue("tenant_id", metadata.TenantId);
        command.Parameters.AddJsonb("data", e.Json);
        command.Parameters.AddJsonb("metadata", StoredEventRows.SerializeMetadata(metadata));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new StoredEvent(e.EventId, streamId, 1, reader.GetInt64(0), e.EventType, e.Data, metadata, reader.GetFieldValue<DateTimeOffset>(1))
            : null;
    }

    private static async Task<long> CurrentVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string streamId, CancellationToken ct)
    {
        await using var command = Sql.Command(connection, transaction, "select version from es_streams where stream_id = @stream_id", ("stream_id", streamId));
        return await command.ExecuteScalarAsync(ct) is long version ? version : IEventStore.NoStream;
    }

    private static async Task<IReadOnlyList<StoredEvent>> InsertEventsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string streamId, long expectedVersion, IReadOnlyList<PendingEvent> pending, EventMetadata metadata, CancellationToken ct)
    {
        var metadataJson = StoredEventRows.SerializeMetadata(metadata);
        // One round trip; statements run in order, so global_seq grows with the stream version.
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var e in pending)
        {
            var command = new NpgsqlBatchCommand(InsertEvent);
            command.Parameters.AddValue("event_id", e.EventId);
            command.Parameters.AddValue("stream_id", streamId);
            command.Parameters.AddValue("stream_version", e.StreamVersion);
            command.Parameters.AddValue("event_type", e.EventType);
            command.Parameters.AddJsonb("data", e.Json);
            command.Parameters.AddJsonb("metadata", metadataJson);
            command.Parameters.AddValue("tenant_id", metadata.TenantId);
            batch.BatchCommands.Add(command);
        }

        var stored = new List<StoredEvent>(pending.Count);
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(ct);
            foreach (var e in pending)
            {
                await reader.ReadAsync(ct);
                stored.Add(new StoredEvent(e.EventId, streamId, e.StreamVersion, reader.GetInt64(0), e.EventType, e.Data, metadata,
                    reader.GetFieldValue<DateTimeOffset>(1)));
                await reader.NextResultAsync(ct);
            }
        }
        catch (PostgresException ex) when (ex is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "es_events_stream_version_key" })
        {
            // es_streams said the versions were free but the log disagrees: still a lost race to the caller.
            throw new ConcurrencyConflictException(streamId, expectedVersion, actualVersion: null, retryable: true);
        }
        return stored;
    }

    /// <summary>"tenant-0f3a…" is of type "tenant": the part before the first '-'.</summary>
    private static string StreamType(string streamId)
    {
        var dash = streamId.IndexOf('-', StringComparison.Ordinal);
        return dash < 0 ? streamId : streamId[..dash];
    }

    private sealed record PendingEvent(Guid EventId, long StreamVersion, string EventType, string Json, object Data);
}
