using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Webhooks;
using MediatR;

namespace Integrations.Application.WebhookDeliveries.Commands.RetryWebhookDelivery;

/// <summary>
/// Puts a dead-lettered delivery back in the queue: it is sent again at once (with the same
/// webhook_id) and gets the full retry schedule. A pending delivery is left as it is; a delivery
/// that succeeded cannot be retried (422 webhook_delivery_succeeded).
/// </summary>
/// <param name="TenantId">The caller's tenant; null for the admin, who may retry any tenant's delivery.</param>
public sealed record RetryWebhookDeliveryCommand(Guid? TenantId, Guid DeliveryId) : ICommand<WebhookDeliveryDto>;

public sealed class RetryWebhookDeliveryCommandHandler(
    WebhookDeliveryLedger ledger, IWebhookEndpointReadModel endpoints, IWebhookDeliveryReadModel deliveries, IRequestContext context, IClock clock)
    : IRequestHandler<RetryWebhookDeliveryCommand, WebhookDeliveryDto>
{
    public async Task<WebhookDeliveryDto> Handle(RetryWebhookDeliveryCommand request, CancellationToken cancellationToken)
    {
        // The admin names no tenant: the log says whose delivery it is (reads of the stream are per tenant).
        var tenantId = request.TenantId ?? (await deliveries.FindAsync(null, request.DeliveryId, cancellationToken))?.TenantId
            ?? throw WebhookDeliveryErrors.NotFound();
        var streamId = WebhookDeliveryDecider.StreamId(request.DeliveryId);
        var loaded = await ledger.LoadAsync([(request.DeliveryId, tenantId)], cancellationToken);
        var state = loaded[streamId].State;
        if (state.Status == DeliveryStatus.None) throw WebhookDeliveryErrors.NotFound();
        if (await endpoints.FindTargetAsync(state.TenantId, state.EndpointId, cancellationToken) is null)
            throw new ConflictException("webhook_endpoint_not_found", "The delivery's endpoint was deleted; there is nowhere to send it.");

        await ledger.HandleAsync([new StreamCommands<WebhookDeliveryCommand>(streamId, state.TenantId, [new RequeueWebhookDelivery(context.Actor, clock.UtcNow)])],
            cancellationToken, loaded);
        return (await deliveries.FindAsync(state.TenantId, request.DeliveryId, cancellationToken))!;
    }
}
