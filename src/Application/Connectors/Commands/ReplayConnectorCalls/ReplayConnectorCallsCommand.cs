using Integrations.Application.Common.Behaviours;
using Integrations.Application.Common.Interfaces;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Connectors.Commands.ReplayConnectorCalls;

/// <summary>How many dead letters went back to the queue.</summary>
public sealed record ReplayedCallsDto(int Replayed);

/// <summary>
/// Replays every dead letter of a connection (dead-lettered at or after <see cref="FailedSince"/>,
/// when given): each is due again now with a fresh retry budget. Pages of a bounded size, each in a
/// transaction of its own, so any number of dead letters can be replayed. Deliberately not an
/// <c>ICommand</c> (one transaction around everything); if it is interrupted, the pages done stay
/// done and running it again replays the rest.
/// </summary>
public sealed record ReplayConnectorCallsCommand(Guid TenantId, Guid ConnectionId, DateTimeOffset? FailedSince) : IRequest<ReplayedCallsDto>;

public sealed class ReplayConnectorCallsCommandHandler(RouteAggregate routes, IConnectorCallLedger ledger, IUnitOfWork unitOfWork,
    ILogger<ReplayConnectorCallsCommandHandler> logger)
    : IRequestHandler<ReplayConnectorCallsCommand, ReplayedCallsDto>
{
    private const int PageSize = 500;

    public async Task<ReplayedCallsDto> Handle(ReplayConnectorCallsCommand request, CancellationToken cancellationToken)
    {
        await routes.ConnectionAsync(request.TenantId, request.ConnectionId, cancellationToken);
        var total = 0;
        while (true)
        {
            var replayed = await UnitOfWorkRetry.ExecuteAsync(unitOfWork,
                ct => ledger.ReplayFailedAsync(request.TenantId, request.ConnectionId, request.FailedSince, PageSize, ct), "ReplayConnectorCalls", logger,
                cancellationToken);
            total += replayed;
            if (replayed < PageSize) return new ReplayedCallsDto(total);
        }
    }
}
