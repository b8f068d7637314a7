using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Persistence.EventSourcing;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Rebuilds one projection from the log in a single transaction, so readers see the old read model
/// until the new one commits. Truncating takes an exclusive lock on the tables: appends that
/// project into them wait for the rebuild and then apply on top of it (projections upsert).
/// </summary>
public sealed class ProjectionRebuilder(
    NpgsqlDataSource dataSource,
    IEnumerable<IProjection> projections,
    EventTypeRegistry registry,
    ILogger<ProjectionRebuilder> logger) : IProjectionRebuilder
{
    /// <summary>Rows fetched per round trip from the server-side cursor: memory stays bounded whatever the log's size.</summary>
    private const int FetchSize = 1000;

    private readonly IReadOnlyDictionary<string, IProjection> _projections = projections.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public IReadOnlyList<string> ProjectionNames => [.. _projections.Keys.Order(StringComparer.Ordinal)];

    public async Task<long> RebuildAsync(string projectionName, CancellationToken ct)
    {
        if (!_projections.TryGetValue(projectionName, out var projection))
            throw new ArgumentException($"Unknown projection '{projectionName}'. Known: {string.Join(", ", ProjectionNames)}.", nameof(projectionName));

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // Two rebuilds of the same projection queue up instead of interleaving their replays.
        await Sql.ExecuteAsync(connection, transaction, "select pg_advisory_xact_lock(@key)", ct, ("key", LockKey(projection.Name)));
        await Sql.ExecuteAsync(connection, transaction, $"truncate table {string.Join(", ", projection.Tables.Select(Sql.QuoteIdentifier))}", ct);

        var eventTypes = projection.Handles.Select(registry.NameOf).ToArray();
        await Sql.ExecuteAsync(connection, transaction,
            $"declare rebuild_events no scroll cursor for {StoredEventRows.Select} where event_type = any(@event_types) order by global_seq",
            ct, ("event_types", eventTypes));

        long replayed = 0;
        while (true)
        {
            // The connection serves one command at a time: a batch is read in full before it is applied.
            var batch = await FetchAsync(connection, transaction, ct);
            if (batch.Count == 0) break;
            foreach (var @event in batch) await projection.ApplyAsync(connection, transaction, @event, ct);
            replayed += batch.Count;
        }

        await transaction.CommitAsync(ct);
        logger.LogInformation("Rebuilt projection {Projection} from {Events} events", projection.Name, replayed);
        return replayed;
    }

    private async Task<List<StoredEvent>> FetchAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var command = Sql.Command(connection, transaction, $"fetch forward {FetchSize} from rebuild_events");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var batch = new List<StoredEvent>(FetchSize);
        while (await reader.ReadAsync(ct)) batch.Add(StoredEventRows.Read(reader, registry));
        return batch;
    }

    /// <summary>A fixed 64-bit advisory lock key per projection name, the same in every process.</summary>
    private static long LockKey(string projectionName) =>
        BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("projection-rebuild:" + projectionName)));
}
