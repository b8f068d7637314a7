using Integrations.Application.Connectors.Pipelines.Calls;
using Microsoft.Extensions.Hosting;

namespace Integrations.Infrastructure.Connectors;

/// <summary>
/// Runs Application's <see cref="ConnectorCallPipeline"/> (claim, admit, send, record) as a
/// background service of the Workers host: on shutdown it stops claiming and lets runs finish and
/// be recorded until the host's shutdown timeout, then aborts them (a call cut off goes again when
/// its lease runs out). Lifetime only: the use case is the pipeline's, the I/O its ports' adapters'.
/// </summary>
public sealed class ConnectorCallDispatcher(ConnectorCallPipeline pipeline) : BackgroundService
{
    /// <summary>Calls this process holds.</summary>
    public int InFlight => pipeline.InFlight;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => pipeline.RunAsync(stoppingToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await using var abortWhenOutOfTime = cancellationToken.Register(pipeline.Abort);
        await base.StopAsync(cancellationToken);
    }
}
