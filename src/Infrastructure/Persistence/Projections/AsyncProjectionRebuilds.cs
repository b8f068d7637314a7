using Integrations.Application.Common.Interfaces;
using JasperFx.Events.Daemon;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Takes up the rebuilds of async projections that the API asked for (<c>projection_rebuilds</c>),
/// in the process whose daemon runs the projection's agent (the hot/cold leader): Marten's rebuild
/// stops the agent, replays, and the agent starts again from the rebuilt position. A rebuild done
/// anywhere else would race the running agent and count events twice.
/// </summary>
public sealed class AsyncProjectionRebuilds(
    NpgsqlDataSource dataSource,
    JasperFx.Events.Daemon.IProjectionCoordinator coordinator,
    IServiceProvider services,
    ILogger<AsyncProjectionRebuilds> logger) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await TakeUpAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                logger.LogWarning(ex, "Could not look for projection rebuilds");
            }
            await Task.Delay(Poll, stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
        }
    }

    private async Task TakeUpAsync(CancellationToken ct)
    {
        var daemon = coordinator.DaemonForMainDatabase();
        var running = daemon.CurrentAgents().Select(a => a.Name.Name).ToHashSet(StringComparer.Ordinal);
        if (running.Count == 0) return; // not the leader: its agents run elsewhere

        Guid id;
        string name;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            await using var claim = new NpgsqlCommand("""
                update projection_rebuilds set started_at = now()
                where id = (select id from projection_rebuilds where started_at is null and projection = any(@running)
                            order by requested_at limit 1 for update skip locked)
                returning id, projection
                """, connection, transaction);
            claim.Parameters.AddWithValue("running", running.ToArray());
            await using (var reader = await claim.ExecuteReaderAsync(ct))
            {
                if (!await reader.ReadAsync(ct)) return;
                (id, name) = (reader.GetGuid(0), reader.GetString(1));
            }
            await transaction.CommitAsync(ct);
        }

        var rebuilder = (ProjectionRebuilder)services.GetRequiredService<IProjectionRebuilder>();
        var projection = services.GetServices<SqlProjection>().Single(p => p.Name == name);
        long? replayed = null;
        string? error = null;
        try
        {
            replayed = await rebuilder.RebuildWithAsync(projection, daemon, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogError(ex, "Rebuilding {Projection} failed", name);
            error = ex.Message;
        }
        finally
        {
            // Marten leaves the rebuilt projection's agent stopped.
            await daemon.StartAgentAsync($"{name}:All", CancellationToken.None);
        }
        await using var done = dataSource.CreateCommand("update projection_rebuilds set finished_at = now(), events_replayed = @replayed, error = @error where id = @id");
        done.Parameters.AddWithValue("id", id);
        done.Parameters.AddWithValue("replayed", (object?)replayed ?? DBNull.Value);
        done.Parameters.AddWithValue("error", (object?)error ?? DBNull.Value);
        await done.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
