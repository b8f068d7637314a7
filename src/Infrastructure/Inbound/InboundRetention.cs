using Integrations.Application.Inbound.Pipelines;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Integrations.Infrastructure.Inbound;

/// <summary>
/// Deletes finished inbound requests older than <see cref="InboundOptions.Retention"/> (Workers,
/// inbound pipeline), oldest first in bounded statements so a backlog never holds a long lock.
/// Pending requests stay whatever their age: they are not yet processed. Several processes may run
/// it at once: each statement skips the rows another one holds.
/// </summary>
public sealed class InboundRetention(NpgsqlDataSource dataSource, InboundOptions options, ILogger<InboundRetention> logger) : BackgroundService
{
    private const int MaxRowsPerStatement = 10_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.RetentionSweepInterval);
        try
        {
            do
            {
                try
                {
                    var deleted = await PurgeAsync(stoppingToken);
                    if (deleted > 0) logger.LogInformation("Purged {Count} inbound requests older than {Retention}", deleted, options.Retention);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Inbound retention purge failed; trying again in {Interval}", options.RetentionSweepInterval);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<long> PurgeAsync(CancellationToken ct)
    {
        long total = 0;
        int deleted;
        do
        {
            await using var command = dataSource.CreateCommand("""
                delete from inbound_requests where id in (
                    select id from inbound_requests where received_at < now() - @retention and status <> 'pending'
                    order by received_at limit @limit
                    for update skip locked)
                """);
            command.Parameters.AddWithValue("retention", options.Retention);
            command.Parameters.AddWithValue("limit", MaxRowsPerStatement);
            deleted = await command.ExecuteNonQueryAsync(ct);
            total += deleted;
        }
        while (deleted == MaxRowsPerStatement);
        return total;
    }
}
