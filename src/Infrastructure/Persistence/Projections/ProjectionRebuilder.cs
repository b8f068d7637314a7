using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Persistence.EventStore;
using Marten;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Rebuilds a projection with Marten's daemon: the projection's tables are emptied (its teardown)
/// and the whole log is replayed into them. While it runs, appends whose events the projection
/// handles wait (they take the projection's lock shared, <see cref="LockKey"/>), as they waited for
/// the truncate's lock before Marten: readers see the table fill up, writers never interleave with
/// the replay, so counters are applied once.
/// </summary>
public sealed class ProjectionRebuilder(
    IDocumentStore store,
    NpgsqlDataSource dataSource,
    IEnumerable<SqlProjection> projections,
    EventTypeRegistry registry,
    ILogger<ProjectionRebuilder> logger) : IProjectionRebuilder
{
    /// <summary>How long one rebuild may take before Marten gives up on it.</summary>
    private static readonly TimeSpan RebuildTimeout = TimeSpan.FromMinutes(30);

    private readonly IReadOnlyDictionary<string, SqlProjection> _projections = projections.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public IReadOnlyList<string> ProjectionNames => [.. _projections.Keys.Order(StringComparer.Ordinal)];

    public async Task<long> RebuildAsync(string projectionName, CancellationToken ct)
    {
        if (!_projections.TryGetValue(projectionName, out var projection))
            throw new ArgumentException($"Unknown projection '{projectionName}'. Known: {string.Join(", ", ProjectionNames)}.", nameof(projectionName));

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // Session-level: held across the daemon's own transactions; two rebuilds of one projection queue up.
        await Sql.ExecuteAsync(connection, null, "select pg_advisory_lock(@key)", ct, ("key", LockKey(projection.Name)));
        try
        {
            // Marten tears the tables down too, except when the log is empty and it has nothing to replay.
            foreach (var table in projection.Tables) await Sql.ExecuteAsync(connection, null, $"delete from {Sql.QuoteIdentifier(table)}", ct);
            using var daemon = await store.BuildProjectionDaemonAsync();
            await daemon.RebuildProjectionAsync(projection.Name, RebuildTimeout, ct);
            await using var count = Sql.Command(connection, null, $"select count(*) from {MartenSetup.Schema}.mt_events where type = any(@types)",
                ("types", projection.Handles.Select(registry.NameOf).ToArray()));
            var replayed = (long)(await count.ExecuteScalarAsync(ct))!;
            logger.LogInformation("Rebuilt projection {Projection} from {Events} events", projection.Name, replayed);
            return replayed;
        }
        finally
        {
            await Sql.ExecuteAsync(connection, null, "select pg_advisory_unlock(@key)", CancellationToken.None, ("key", LockKey(projection.Name)));
        }
    }

    /// <summary>A fixed 64-bit advisory lock key per projection name, the same in every process.</summary>
    public static long LockKey(string projectionName) =>
        BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("projection-rebuild:" + projectionName)));
}
