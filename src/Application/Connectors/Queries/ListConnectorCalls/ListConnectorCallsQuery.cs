using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using Integrations.Domain.Connectors;
using Integrations.Domain.EventTypes;
using MediatR;

namespace Integrations.Application.Connectors.Queries.ListConnectorCalls;

/// <summary>A connection's calls, newest first by default (the list conventions); status=failed is its dead-letter queue.</summary>
public sealed record ListConnectorCallsQuery(Guid TenantId, Guid ConnectionId, ListQuery List) : IQuery<CursorPage<ConnectorCallDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "connector_calls",
        SortableFields = [new("created_at", ListFieldType.Timestamp)],
        SortOrders = [["created_at"]],
        DefaultSort = [new("created_at", SortDirection.Desc)],
        Filters =
        [
            FilterParameter.OneOf("status", ConnectorCallStatuses.All, "Only calls in this state; failed is the dead-letter queue.", "invalid_status"),
            FilterParameter.OneOf("event_type", EventTypeCatalog.All.Select(t => t.Name).ToList(), "Only calls of this event type.", "unknown_event_type"),
            new FilterParameter("route_id", "route_id", FilterOperator.Equal, ListFieldType.Uuid, "Only the calls of this route."),
            FilterParameter.CreatedAfter("created_at"),
            FilterParameter.CreatedBefore("created_at"),
        ],
    };
}

public sealed class ListConnectorCallsQueryHandler(RouteAggregate routes, IConnectorCallLedger ledger)
    : IRequestHandler<ListConnectorCallsQuery, CursorPage<ConnectorCallDto>>
{
    public async Task<CursorPage<ConnectorCallDto>> Handle(ListConnectorCallsQuery request, CancellationToken cancellationToken)
    {
        await routes.ConnectionAsync(request.TenantId, request.ConnectionId, cancellationToken);
        return await ledger.ListAsync(request.TenantId, request.ConnectionId, request.List, cancellationToken);
    }
}
