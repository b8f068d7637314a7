using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using Integrations.Application.WebhookEndpoints;
using MediatR;

namespace Integrations.Application.WebhookDeliveries.Queries.ListEndpointDeliveries;

/// <summary>One endpoint's delivery log (filters as <see cref="ListWebhookDeliveries.ListWebhookDeliveriesQuery.Spec"/>); 404 if the endpoint is not the tenant's.</summary>
public sealed record ListEndpointDeliveriesQuery(Guid TenantId, Guid EndpointId, ListQuery List) : IQuery<CursorPage<WebhookDeliveryDto>>;

public sealed class ListEndpointDeliveriesQueryHandler(IWebhookEndpointReadModel endpoints, IWebhookDeliveryReadModel deliveries)
    : IRequestHandler<ListEndpointDeliveriesQuery, CursorPage<WebhookDeliveryDto>>
{
    public async Task<CursorPage<WebhookDeliveryDto>> Handle(ListEndpointDeliveriesQuery request, CancellationToken cancellationToken)
    {
        _ = await endpoints.FindAsync(request.TenantId, request.EndpointId, cancellationToken) ?? throw WebhookEndpointAggregate.NotFound();
        return await deliveries.ListAsync(request.TenantId, request.EndpointId, request.List, cancellationToken);
    }
}
