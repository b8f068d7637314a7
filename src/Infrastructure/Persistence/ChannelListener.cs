using Microsoft.Extensions.Logging;
using Npgsql;

namespace Integrations.Infrastructure.Persistence;

/// <summary>
/// How a pipeline learns that work became due now (webhook deliveries, connector calls): writes
/// this process commits wake it directly after the commit (<see cref="PostgresNotifier.Listen"/>);
/// the NOTIFY on the channel brings those of other processes. A broken listening connection is
/// opened again; the pipeline's own poll covers the gap.
/// </summary>
public static class ChannelListener
{
    private static readonly TimeSpan ErrorDelay = TimeSpan.FromSeconds(1);

    /// <param name="what">What the channel announces, for the log (e.g. "new webhook deliveries").</param>
    public static async Task ListenAsync(NpgsqlDataSource dataSource, PostgresNotifier notifier, string channel, Action wake, string what,
        TimeSpan pollInterval, ILogger logger, CancellationToken stopping)
    {
        using var committedHere = notifier.Listen(channel, wake);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stopping);
                connection.Notification += (_, _) => wake();
                try
                {
                    await using (var listen = new NpgsqlCommand($"listen {channel}", connection))
                        await listen.ExecuteNonQueryAsync(stopping);
                    // Whatever was committed before we listened is found by the next claim.
                    wake();
                    while (!stopping.IsCancellationRequested) await connection.WaitAsync(stopping);
                }
                finally
                {
                    // Pooled connections are not reset on close (No Reset On Close): stop listening before this one goes back.
                    await UnlistenAsync(connection);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Listening for {What} failed; polling every {Interval} until it is back", what, pollInterval);
                await Task.Delay(ErrorDelay, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private static async Task UnlistenAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open) return;
        try
        {
            await using var unlisten = new NpgsqlCommand("unlisten *", connection);
            await unlisten.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // A broken connection is discarded by the pool anyway.
        }
    }
}
