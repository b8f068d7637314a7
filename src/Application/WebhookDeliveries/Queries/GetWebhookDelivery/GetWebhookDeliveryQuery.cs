using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.WebhookDeliveries.Queries.GetWebhookDelivery;

/// <summary>One delivery with every attempt; <see cref="TenantId"/> null for the admin (any tenant's).</summary>
public sealed record GetWebhookDeliveryQuery(Guid? TenantId, Guid DeliveryId) : IQuery<WebhookDeliveryDetailDto>;

public sealed class GetWebhookDeliveryQueryHandler(IWebhookDeliveryReadModel deliveries) : IRequestHandler<GetWebhookDeliveryQuery, WebhookDeliveryDetailDto>
{
    public async Task<WebhookDeliveryDetailDto> Handle(GetWebhookDeliveryQuery request, CancellationToken cancellationToken) =>
        await deliveries.FindAsync(request.TenantId, request.DeliveryId, cancellationToken) ?? throw WebhookDeliveryErrors.NotFound();
}
