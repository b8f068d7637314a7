using Integrations.Application.Notifications.Pipelines.Mail;
using Microsoft.Extensions.Hosting;

namespace Integrations.Infrastructure.Mail;

/// <summary>
/// Runs Application's <see cref="NotificationMailPipeline"/> as a background service of the Workers
/// host (the notifications pipeline). Lifetime only: the use case is the pipeline's, the I/O its ports' adapters'.
/// </summary>
public sealed class NotificationMailSender(NotificationMailPipeline pipeline) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => pipeline.RunAsync(stoppingToken);
}
