using Integrations.Application.Connectors;
using Integrations.Application.Connectors.Pipelines.Calls;
using Integrations.Infrastructure.Persistence;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Integrations.Infrastructure.Connectors;

/// <summary>
/// Wakes the call pipeline (<see cref="ICallWakeups"/>) when calls become due now: those the connector
/// pipeline of this process commits at once, those of other processes and the API's replays through
/// the NOTIFY on <see cref="ConnectorCallLedger.Channel"/>.
/// </summary>
public sealed class ConnectorCallWakeups(NpgsqlDataSource dataSource, PostgresNotifier notifier, ConnectorsOptions options, ILogger<ConnectorCallWakeups> logger)
    : ICallWakeups
{
    public Task ListenAsync(Action wake, CancellationToken stopping) =>
        ChannelListener.ListenAsync(dataSource, notifier, ConnectorCallLedger.Channel, wake, "new connector calls", options.PollInterval, logger, stopping);
}
