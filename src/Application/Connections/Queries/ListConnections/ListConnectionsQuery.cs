using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using Integrations.Domain.Connections;
using MediatR;

namespace Integrations.Application.Connections.Queries.ListConnections;

/// <summary>The tenant's connections (not the deleted ones), newest first unless sorted otherwise, keyset-paginated.</summary>
public sealed record ListConnectionsQuery(Guid TenantId, ListQuery List) : IQuery<CursorPage<ConnectionDto>>
{
    public static readonly IReadOnlyList<string> ListedStatuses =
        [ConnectionStatuses.Pending, ConnectionStatuses.Connected, ConnectionStatuses.NeedsReauth, ConnectionStatuses.Disconnected, ConnectionStatuses.Error];

    public static readonly ListSpec Spec = new()
    {
        Resource = "connections",
        SortableFields = [new("created_at", ListFieldType.Timestamp)],
        SortOrders = [["created_at"]],
        DefaultSort = [new("created_at", SortDirection.Desc)],
        Filters =
        [
            FilterParameter.OneOf("status", ListedStatuses, "Only connections of this status.", "invalid_status"),
            new("provider", "provider", FilterOperator.Equal, ListFieldType.Text, "Only connections to this provider (its id, e.g. http)."),
            FilterParameter.CreatedAfter("created_at"),
            FilterParameter.CreatedBefore("created_at"),
        ],
    };
}

public sealed class ListConnectionsQueryHandler(IConnectionReadModel connections) : IRequestHandler<ListConnectionsQuery, CursorPage<ConnectionDto>>
{
    public Task<CursorPage<ConnectionDto>> Handle(ListConnectionsQuery request, CancellationToken cancellationToken) =>
        connections.ListAsync(request.TenantId, request.List, cancellationToken);
}
