using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// Guarantees eventual completion (Workers host): a message that awaits a consumer and was not
/// completed within <see cref="OutboxOptions.CompletionTimeout"/> goes back to the relay, because
/// the broker may have lost it (the development broker keeps nothing across a restart). The
/// timeout doubles with every publication, up to an hour, so a stopped worker fleet costs a
/// trickle of republishing rather than a storm. Also deletes completed rows past retention.
/// Safe to run in several processes at once: each statement skips rows another one holds.
/// </summary>
public sealed class OutboxSweeper(NpgsqlDataSource dataSource, IOptions<OutboxOptions> options, ILogger<OutboxSweeper> logger) : BackgroundService
{
    private const int MaxRowsPerStatement = 10_000;
    private static readonly TimeSpan MaxRepublishDelay = TimeSpan.FromHours(1);
    private static readonly TimeSpan RetentionInterval = TimeSpan.FromHours(1);

    private readonly OutboxOptions _options = options.Value;
    private long? _lastRetention;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.SweepInterval);
        try
        {
            do await SweepAsync(stoppingToken);
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SweepAsync(CancellationToken ct)
    {
        try
        {
            await RequeueUncompletedAsync(ct);
            if (_lastRetention is null || Stopwatch.GetElapsedTime(_lastRetention.Value) >= RetentionInterval)
            {
                await DeleteExpiredAsync(ct);
                _lastRetention = Stopwatch.GetTimestamp();
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Outbox sweep failed; trying again in {Interval}", _options.SweepInterval);
        }
    }

    private async Task RequeueUncompletedAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            with overdue as (
                select id from outbox
                where awaits_consumer and completed_at is null and published_at is not null
                  and published_at < now() - @timeout
                  and published_at < now() - least(@max_delay, @timeout * power(2, least(greatest(publish_count - 1, 0), 20)))
                order by id
                limit @limit
                for update skip locked)
            update outbox o set published_at = null, next_attempt_at = now()
            from overdue where o.id = overdue.id
            """);
        command.Parameters.AddWithValue("timeout", _options.CompletionTimeout);
        command.Parameters.AddWithValue("max_delay", MaxRepublishDelay);
        command.Parameters.AddWithValue("limit", MaxRowsPerStatement);
        var requeued = await command.ExecuteNonQueryAsync(ct);
        if (requeued == 0) return;

        await using var notify = dataSource.CreateCommand($"select pg_notify('{PostgresOutbox.Channel}', '')");
        await notify.ExecuteNonQueryAsync(ct);
        logger.LogWarning("Requeued {Count} outbox messages not completed by their consumer in time", requeued);
    }

    private async Task DeleteExpiredAsync(CancellationToken ct)
    {
        int deleted;
        do
        {
            await using var command = dataSource.CreateCommand("""
                delete from outbox where id in (
                    select id from outbox where completed_at < now() - @retention
                    order by completed_at limit @limit
                    for update skip locked)
                """);
            command.Parameters.AddWithValue("retention", _options.RetentionPeriod);
            command.Parameters.AddWithValue("limit", MaxRowsPerStatement);
            deleted = await command.ExecuteNonQueryAsync(ct);
            if (deleted > 0) logger.LogInformation("Deleted {Count} completed outbox messages past retention", deleted);
        }
        while (deleted == MaxRowsPerStatement);
    }
}
