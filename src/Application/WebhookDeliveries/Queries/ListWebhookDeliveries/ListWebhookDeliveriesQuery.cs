using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using Integrations.Domain.EventTypes;
using MediatR;

namespace Integrations.Application.WebhookDeliveries.Queries.ListWebhookDeliveries;

/// <summary>
/// The delivery log, newest first, keyset-paginated: a tenant's (optionally one endpoint's), or
/// every tenant's for the admin (<see cref="TenantId"/> null). status=failed is the dead-letter queue.
/// </summary>
public sealed record ListWebhookDeliveriesQuery(Guid? TenantId, Guid? EndpointId, ListQuery List) : IQuery<CursorPage<WebhookDeliveryDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "webhook_deliveries",
        SortableFields = [new("created_at", ListFieldType.Timestamp)],
        SortOrders = [["created_at"]],
        DefaultSort = [new("created_at", SortDirection.Desc)],
        Filters =
        [
            FilterParameter.OneOf("status", WebhookDeliveryStatuses.All, "Only deliveries in this state; failed is the dead-letter queue.", "invalid_status"),
            FilterParameter.OneOf("event_type", EventTypeCatalog.All.Select(t => t.Name).ToList(), "Only deliveries of this event type.", "unknown_event_type"),
            FilterParameter.CreatedAfter("created_at"),
            FilterParameter.CreatedBefore("created_at"),
        ],
    };
}

public sealed class ListWebhookDeliveriesQueryHandler(IWebhookDeliveryReadModel deliveries)
    : IRequestHandler<ListWebhookDeliveriesQuery, CursorPage<WebhookDeliveryDto>>
{
    public Task<CursorPage<WebhookDeliveryDto>> Handle(ListWebhookDeliveriesQuery request, CancellationToken cancellationToken) =>
        deliveries.ListAsync(request.TenantId, request.EndpointId, request.List, cancellationToken);
}
