using Integrations.Application.Common.Interfaces;
using Integrations.Application.Inbound.Commands.CheckInboundSilence;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Application.Inbound.Pipelines;

/// <summary>
/// One pass over the sources that have a silence alert (Workers, inbound pipeline, every
/// <see cref="InboundOptions.SilenceCheckInterval"/>): each checked in a scope and unit of work of its
/// own. Several processes may run it: the incident log opens one incident per silence whoever
/// notices first, and a concurrent open is a conflict the unit of work retries.
/// </summary>
public sealed class InboundSilenceSweep(IWorkScopeFactory scopes)
{
    /// <summary>Returns how many sources were checked.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        IReadOnlyList<WatchedInboundSource> watched;
        await using (var scope = scopes.CreateScope(InboundProcessing.Actor))
            watched = await scope.ServiceProvider.GetRequiredService<IInboundSources>().ListWatchedAsync(ct);
        foreach (var source in watched)
        {
            await using var scope = scopes.CreateScope(InboundProcessing.Actor);
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new CheckInboundSilenceCommand(source), ct);
        }
        return watched.Count;
    }
}
