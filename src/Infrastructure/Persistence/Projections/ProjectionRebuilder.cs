using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Persistence.EventStore;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Rebuilds a projection with Marten's daemon: the projection's tables are emptied (its teardown)
/// and the whole log is replayed into them. While it runs, appends whose events an inline
/// projection handles wait (they take the projection's lock shared, <see cref="LockKey"/>): readers
/// see the table fill up, writers never interleave with the replay, so counters are applied once.
/// An async projection is rebuilt where its daemon runs (<see cref="AsyncProjectionRebuilds"/>),
/// which stops its agent meanwhile: this process asks for it and waits.
/// </summary>
public sealed class ProjectionRebuilder(
    IDocumentStore store,
    NpgsqlDataSource dataSource,
    IEnumerable<SqlProjection> projections,
    EventTypeRegistry registry,
    ILogger<ProjectionRebuilder> logger) : IProjectionRebuilder
{
    /// <summary>How long one rebuild may take before Marten gives up on it.</summary>
    public static readonly TimeSpan RebuildTimeout = TimeSpan.FromMinutes(30);

    /// <summary>How long an async projection's rebuild may wait for a daemon to take it up.</summary>
    private static readonly TimeSpan PickUpTimeout = TimeSpan.FromSeconds(30);

    private readonly IReadOnlyDictionary<string, SqlProjection> _projections = projections.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public IReadOnlyList<string> ProjectionNames => [.. _projections.Keys.Order(StringComparer.Ordinal)];

    public async Task<long> RebuildAsync(string projectionName, CancellationToken ct)
    {
        if (!_projections.TryGetValue(projectionName, out var projection))
            throw new ArgumentException($"Unknown projection '{projectionName}'. Known: {string.Join(", ", ProjectionNames)}.", nameof(projectionName));
        if (projection.Lifecycle == ProjectionLifecycle.Async) return await RequestAsync(projection, ct);
        using var daemon = await store.BuildProjectionDaemonAsync();
        return await RebuildWithAsync(projection, daemon, ct);
    }

    /// <summary>Empties the projection's tables and replays the log into them with <paramref name="daemon"/>; returns the events of its types.</summary>
    internal async Task<long> RebuildWithAsync(SqlProjection projection, IProjectionDaemon daemon, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // Session-level: held across the daemon's own transactions; two rebuilds of one projection queue up.
        await Sql.ExecuteAsync(connection, null, "select pg_advisory_lock(@key)", ct, ("key", LockKey(projection.Name)));
        try
        {
            // Marten tears the tables down too, except when the log is empty and it has nothing to replay.
            foreach (var table in projection.Tables) await Sql.ExecuteAsync(connection, null, $"delete from {Sql.QuoteIdentifier(table)}", ct);
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

    private async Task<long> RequestAsync(SqlProjection projection, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        await using (var ask = dataSource.CreateCommand("insert into projection_rebuilds (id, projection) values (@id, @name)"))
        {
            ask.Parameters.AddWithValue("id", id);
            ask.Parameters.AddWithValue("name", projection.Name);
            await ask.ExecuteNonQueryAsync(ct);
        }
        var asked = DateTimeOffset.UtcNow;
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            await using var command = dataSource.CreateCommand("select started_at is not null, finished_at is not null, events_replayed, error from projection_rebuilds where id = @id");
            command.Parameters.AddWithValue("id", id);
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var (started, finished) = (reader.GetBoolean(0), reader.GetBoolean(1));
            if (finished)
                return reader.IsDBNull(3) ? reader.GetInt64(2) : throw new InvalidOperationException($"Rebuilding {projection.Name} failed: {reader.GetString(3)}");
            if (!started && DateTimeOffset.UtcNow - asked > PickUpTimeout)
            {
                await reader.DisposeAsync();
                await using var withdraw = dataSource.CreateCommand("delete from projection_rebuilds where id = @id and started_at is null");
                withdraw.Parameters.AddWithValue("id", id);
                await withdraw.ExecuteNonQueryAsync(ct);
                throw new ConflictException("projection_daemon_unavailable",
                    $"{projection.Name} is an async projection, rebuilt by the Workers process that runs its daemon (pipeline 'projections'), and none took the rebuild up within {PickUpTimeout.TotalSeconds:F0} s.");
            }
        }
    }

    /// <summary>A fixed 64-bit advisory lock key per projection name, the same in every process.</summary>
    public static long LockKey(string projectionName) =>
        BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("projection-rebuild:" + projectionName)));
}
