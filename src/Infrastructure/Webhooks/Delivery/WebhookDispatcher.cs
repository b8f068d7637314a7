using Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;
using Microsoft.Extensions.Hosting;

namespace Integrations.Infrastructure.Webhooks.Delivery;

/// <summary>
/// Runs Application's <see cref="WebhookDeliveryPipeline"/> (claim, admit and pace, sign, send, record)
/// as a background service of the Workers host: started with the host; on shutdown it stops
/// claiming and lets requests in flight finish and be recorded until the host's shutdown timeout,
/// then aborts them (anything cut off is sent again when its lease runs out). Lifetime only: the
/// use case is the pipeline's, the I/O its ports' adapters'.
/// </summary>
public sealed class WebhookDispatcher(WebhookDeliveryPipeline pipeline) : BackgroundService
{
    /// <summary>Deliveries this instance holds: in flight, or waiting for their rate-limit slot or a connection.</summary>
    public int InFlight => pipeline.InFlight;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => pipeline.RunAsync(stoppingToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await using var abortWhenOutOfTime = cancellationToken.Register(pipeline.Abort);
        await base.StopAsync(cancellationToken);
    }
}
