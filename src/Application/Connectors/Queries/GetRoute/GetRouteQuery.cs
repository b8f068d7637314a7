using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Connectors.Queries.GetRoute;

public sealed record GetRouteQuery(Guid TenantId, Guid ConnectionId, Guid RouteId) : IQuery<RouteDto>;

public sealed class GetRouteQueryHandler(RouteAggregate routes, IRouteReadModel readModel) : IRequestHandler<GetRouteQuery, RouteDto>
{
    public async Task<RouteDto> Handle(GetRouteQuery request, CancellationToken cancellationToken)
    {
        await routes.ConnectionAsync(request.TenantId, request.ConnectionId, cancellationToken);
        return await readModel.FindAsync(request.TenantId, request.ConnectionId, request.RouteId, cancellationToken) ?? throw RouteAggregate.RouteNotFound();
    }
}
