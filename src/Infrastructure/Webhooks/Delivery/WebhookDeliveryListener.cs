using Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;
using Integrations.Infrastructure.Persistence;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Integrations.Infrastructure.Webhooks.Delivery;

/// <summary>
/// Wakes the dispatch pipeline (<see cref="IDeliveryWakeups"/>) when deliveries become due now. Those
/// this process commits (the fan-out of the events it dispatches) wake it directly after the commit
/// (<see cref="PostgresNotifier.Listen"/>): the NOTIFY would too, but only after a round trip through
/// PostgreSQL and the listening connection. The NOTIFY on <see cref="WebhookDeliveryQueueWriter.Channel"/>
/// stays for deliveries created elsewhere (other instances, the API's tests, retries and recovers).
/// </summary>
public sealed class WebhookDeliveryListener(
    NpgsqlDataSource dataSource, PostgresNotifier notifier, WebhookDispatcherOptions options, ILogger<WebhookDeliveryListener> logger) : IDeliveryWakeups
{
    private static readonly TimeSpan ErrorDelay = TimeSpan.FromSeconds(1);

    public async Task ListenAsync(Action wake, CancellationToken stopping)
    {
        using var committedHere = notifier.Listen(WebhookDeliveryQueueWriter.Channel, wake);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stopping);
                connection.Notification += (_, _) => wake();
                try
                {
                    await using (var listen = new NpgsqlCommand($"listen {WebhookDeliveryQueueWriter.Channel}", connection))
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
                logger.LogWarning(ex, "Listening for new webhook deliveries failed; polling every {Interval} until it is back", options.PollInterval);
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
