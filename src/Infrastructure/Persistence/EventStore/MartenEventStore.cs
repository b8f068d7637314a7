using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using JasperFx;
using JasperFx.Events;
using Marten;
using Marten.Services;
using Integrations.Infrastructure.Persistence.Projections;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.EventStore;

/// <summary>
/// <see cref="IEventStore"/> on Marten (ADR 0011): streams are Marten event streams keyed by our
/// string ids under conjoined tenancy, appended in the unit of work's own transaction
/// (<see cref="SessionOptions.ForTransaction"/>), so Marten's inline projections, our outbox rows
/// and idempotency records commit or roll back together. Marten never commits: the unit of work does.
/// </summary>
public sealed class MartenEventStore(IDocumentStore store, DbSession session, IRequestContext context, EventTypeRegistry registry, IEnumerable<SqlProjection> projections) : Application.Common.Interfaces.IEventStore
{
    private readonly IReadOnlyList<SqlProjection> _projections = projections.Where(p => p.Lifecycle == JasperFx.Events.Projections.ProjectionLifecycle.Inline).ToList();

    public Task<IReadOnlyDictionary<string, IReadOnlyList<StoredEvent>>> ReadStreamsAsync(IReadOnlyCollection<StreamKey> streams, CancellationToken ct) =>
        session.RunAsync<IReadOnlyDictionary<string, IReadOnlyList<StoredEvent>>>(async (connection, transaction) =>
        {
            var wanted = streams.Distinct().ToDictionary(k => k.StreamId, k => MartenEvents.TenantKey(k.TenantId));
            var found = wanted.Keys.ToDictionary(k => k, _ => new List<StoredEvent>());
            var keys = wanted.Keys.ToArray();
            var tenants = wanted.Values.Distinct().ToArray();
            await using var marten = store.QuerySession(Options(connection, transaction));
            // Marten's index leads with the tenant: (tenant_id, stream_id, version) serves both lists.
            var events = await marten.Events.QueryAllRawEvents()
                .Where(e => e.TenantIsOneOf(tenants) && keys.Contains(e.StreamKey!))
                .OrderBy(e => e.Sequence)
                .ToListAsync(ct);
            // A stream id under another of the tenants read is another stream.
            foreach (var e in events.Where(e => wanted[e.StreamKey!] == e.TenantId)) found[e.StreamKey!].Add(MartenEvents.ToStored(e));
            return found.ToDictionary(s => s.Key, s => (IReadOnlyList<StoredEvent>)s.Value);
        }, ct);

    public Task<IReadOnlyList<StoredEvent>> AppendAsync(IReadOnlyList<StreamAppend> appends, CancellationToken ct)
    {
        if (appends.Count == 0) return Task.FromResult<IReadOnlyList<StoredEvent>>([]);
        if (appends.Select(a => a.StreamId).Distinct().Count() != appends.Count)
            throw new ArgumentException("A batch appends to each stream once.", nameof(appends));
        if (appends.FirstOrDefault(a => a.Events.Count == 0) is { } empty)
            throw new ArgumentException($"The append to {empty.StreamId} has no events.", nameof(appends));

        return session.InTransactionAsync(token => session.RunAsync(
            (connection, transaction) => AppendInTransactionAsync(connection, transaction!, appends, token), token), ct);
    }

    private async Task<IReadOnlyList<StoredEvent>> AppendInTransactionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<StreamAppend> appends, CancellationToken ct)
    {
        foreach (var type in appends.SelectMany(a => a.Events).Select(e => e.GetType()).Distinct()) registry.NameOf(type);
        await using var marten = store.LightweightSession(SessionOptions.ForTransaction(transaction));
        // A rebuild of a projection these events go into holds its lock: wait for it, then apply on top (ProjectionRebuilder).
        var types = appends.SelectMany(a => a.Events).Select(e => e.GetType()).ToHashSet();
        var locks = _projections.Where(p => p.Handles.Overlaps(types)).Select(p => ProjectionRebuilder.LockKey(p.Name)).Order().ToArray();
        if (locks.Length > 0) marten.QueueSqlCommand("select pg_advisory_xact_lock_shared(k) from unnest(?::bigint[]) as k", locks);
        var actions = new List<StreamAction>(appends.Count);
        foreach (var append in appends)
        {
            var events = marten.ForTenant(MartenEvents.TenantKey(append.TenantId)).Events;
            var data = append.Events.ToArray();
            // Marten's expected version is the stream's version after the append.
            var action = append.ExpectedVersion == Application.Common.Interfaces.IEventStore.NoStream
                ? events.StartStream(append.StreamId, data)
                : events.Append(append.StreamId, append.ExpectedVersion + data.Length, data);
            var origin = append.Origin ?? RequestOrigin.Of(context);
            foreach (var e in action.Events)
            {
                e.CorrelationId = origin.CorrelationId;
                e.CausationId = origin.CausationId;
                e.SetHeader(MartenEvents.ActorHeader, origin.Actor);
            }
            actions.Add(action);
        }
        try
        {
            await marten.SaveChangesAsync(ct);
        }
        catch (Exception ex) when (IsConflict(ex))
        {
            var first = appends[0];
            var conflict = new ConcurrencyConflictException(first.StreamId, first.ExpectedVersion, actualVersion: null, retryable: true);
            // The transaction may be aborted: the unit of work fails as a whole (and is retried from a fresh read).
            session.MarkFailed(conflict);
            throw conflict;
        }
        catch (Exception ex) when (ex.InnerException is NpgsqlException database)
        {
            session.MarkFailed(database);
            // The database's own error, as every other port throws it (the hosts map unstorable text and outages from it).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(database).Throw();
            throw;
        }
        return actions.SelectMany(a => a.Events).Select(MartenEvents.ToStored).OrderBy(e => e.GlobalSequence).ToList();
    }

    /// <summary>
    /// Another writer got there first: a stream at another version than expected (Marten checks
    /// before sending), or a new stream that exists after all (the database's unique keys of
    /// mt_streams and mt_events, which Marten reports as it finds them).
    /// </summary>
    private static bool IsConflict(Exception ex) =>
        ex is ConcurrencyException or Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException
        || ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: { } constraint }
           && (constraint.StartsWith("pkey_mt_streams", StringComparison.Ordinal) || constraint.StartsWith("pk_mt_events", StringComparison.Ordinal));

    private static SessionOptions Options(NpgsqlConnection connection, NpgsqlTransaction? transaction) =>
        transaction is null ? SessionOptions.ForConnection(connection) : SessionOptions.ForTransaction(transaction);
}
