using Integrations.Application.Common.Interfaces;
using Integrations.Application.Inbound;
using Integrations.Application.Inbound.Commands.CheckInboundSilence;
using Integrations.Application.Inbound.Pipelines;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Integrations.Infrastructure.Inbound;

/// <summary>
/// Every <see cref="InboundOptions.SilenceCheckInterval"/>, checks each source that has a silence
/// alert (Workers, inbound pipeline). Several processes may run it: the incident log opens one
/// incident per silence whoever notices first, and a concurrent open is a conflict the unit of work retries.
/// </summary>
public sealed class InboundSilenceWatch(IWorkScopeFactory scopes, InboundOptions options, ILogger<InboundSilenceWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SilenceCheckInterval);
        try
        {
            do
            {
                try
                {
                    await CheckAllAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Inbound silence check failed; trying again in {Interval}", options.SilenceCheckInterval);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CheckAllAsync(CancellationToken ct)
    {
        IReadOnlyList<WatchedInboundSource> watched;
        await using (var scope = scopes.CreateScope(InboundProcessing.Actor))
            watched = await scope.ServiceProvider.GetRequiredService<IInboundSources>().ListWatchedAsync(ct);
        foreach (var source in watched)
        {
            // A scope per source: one tenant's failure leaves nothing behind for the next.
            await using var scope = scopes.CreateScope(InboundProcessing.Actor);
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new CheckInboundSilenceCommand(source), ct);
        }
    }
}
