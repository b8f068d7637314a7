using Integrations.Application.Schedules.Pipelines.Runner;
using Microsoft.Extensions.Hosting;

namespace Integrations.Infrastructure.Schedules;

/// <summary>
/// Runs Application's <see cref="ScheduleRunnerPipeline"/> as a background service of the Workers
/// host: on shutdown it stops claiming and lets runs finish until the host's shutdown timeout, then
/// aborts them (a run cut off is declared lost after its lease and runs again). Lifetime only.
/// </summary>
public sealed class ScheduleRunner(ScheduleRunnerPipeline pipeline) : BackgroundService
{
    public int InFlight => pipeline.InFlight;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => pipeline.RunAsync(stoppingToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await using var abortWhenOutOfTime = cancellationToken.Register(pipeline.Abort);
        await base.StopAsync(cancellationToken);
    }
}
