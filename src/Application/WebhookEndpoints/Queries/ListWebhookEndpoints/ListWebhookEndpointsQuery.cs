using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using MediatR;

namespace Integrations.Application.WebhookEndpoints.Queries.ListWebhookEndpoints;

/// <summary>The tenant's endpoints, newest first unless sorted otherwise, keyset-paginated, optionally only those of one status.</summary>
public sealed record ListWebhookEndpointsQuery(Guid TenantId, ListQuery List) : IQuery<CursorPage<WebhookEndpointDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "webhook_endpoints",
        SortableFields = [new("created_at", ListFieldType.Timestamp)],
        SortOrders = [["created_at"]],
        DefaultSort = [new("created_at", SortDirection.Desc)],
        Filters =
        [
            FilterParameter.OneOf("status", WebhookEndpointStatuses.All, "Only enabled or only disabled endpoints.", "invalid_status"),
            FilterParameter.CreatedAfter("created_at"),
            FilterParameter.CreatedBefore("created_at"),
        ],
    };
}

public sealed class ListWebhookEndpointsQueryHandler(IWebhookEndpointReadModel endpoints)
    : IRequestHandler<ListWebhookEndpointsQuery, CursorPage<WebhookEndpointDto>>
{
    public Task<CursorPage<WebhookEndpointDto>> Handle(ListWebhookEndpointsQuery request, CancellationToken cancellationToken) =>
        endpoints.ListAsync(request.TenantId, request.List, cancellationToken);
}
