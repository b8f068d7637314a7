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
    public Task ListenAsync(Action wake, CancellationToken stopping) =>
        ChannelListener.ListenAsync(dataSource, notifier, WebhookDeliveryQueueWriter.Channel, wake, "new webhook deliveries", options.PollInterval, logger, stopping);
}
