using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Connectors.Commands.DeleteRoute;

/// <summary>The route sends nothing more; calls it already made keep going (their log stays).</summary>
public sealed record DeleteRouteCommand(Guid TenantId, Guid ConnectionId, Guid RouteId) : ICommand<Unit>;

public sealed class DeleteRouteCommandHandler(RouteAggregate routes, IClock clock) : IRequestHandler<DeleteRouteCommand, Unit>
{
    public async Task<Unit> Handle(DeleteRouteCommand request, CancellationToken cancellationToken)
    {
        await routes.ConnectionAsync(request.TenantId, request.ConnectionId, cancellationToken);
        await routes.HandleAsync(request.TenantId, request.ConnectionId, request.RouteId, new Domain.Connectors.DeleteRoute(clock.UtcNow), cancellationToken);
        return Unit.Value;
    }
}
