using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using MediatR;

namespace Integrations.Application.Connectors.Queries.ListRoutes;

/// <summary>A connection's routes, newest first by default, keyset-paginated (the list conventions).</summary>
public sealed record ListRoutesQuery(Guid TenantId, Guid ConnectionId, ListQuery List) : IQuery<CursorPage<RouteDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "connector_routes",
        SortableFields = [new("created_at", ListFieldType.Timestamp)],
        SortOrders = [["created_at"]],
        DefaultSort = [new("created_at", SortDirection.Desc)],
        Filters =
        [
            FilterParameter.OneOf("status", ["enabled", "disabled"], "Only enabled or only disabled routes.", "invalid_status"),
            FilterParameter.CreatedAfter("created_at"),
            FilterParameter.CreatedBefore("created_at"),
        ],
    };
}

public sealed class ListRoutesQueryHandler(RouteAggregate routes, IRouteReadModel readModel) : IRequestHandler<ListRoutesQuery, CursorPage<RouteDto>>
{
    public async Task<CursorPage<RouteDto>> Handle(ListRoutesQuery request, CancellationToken cancellationToken)
    {
        await routes.ConnectionAsync(request.TenantId, request.ConnectionId, cancellationToken);
        return await readModel.ListAsync(request.TenantId, request.ConnectionId, request.List, cancellationToken);
    }
}
