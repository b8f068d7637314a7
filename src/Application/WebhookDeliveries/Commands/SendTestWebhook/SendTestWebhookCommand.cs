using FluentValidation;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.WebhookEndpoints;
using Integrations.Domain.EventTypes;
using Integrations.Domain.Webhooks;
using MediatR;

namespace Integrations.Application.WebhookDeliveries.Commands.SendTestWebhook;

/// <summary>
/// Sends the catalog's sample of an event type to an endpoint now, through the same queue,
/// dispatcher, signing and retries as any delivery: a delivery marked is_test, for a synthetic event
/// id that no other channel sees. The endpoint need not subscribe to the type. A disabled endpoint
/// is refused (409): the test could not be sent until it is enabled.
/// </summary>
public sealed record SendTestWebhookCommand(Guid TenantId, Guid EndpointId, string? EventType) : ICommand<WebhookDeliveryDto>;

public sealed class SendTestWebhookCommandValidator : AbstractValidator<SendTestWebhookCommand>
{
    public SendTestWebhookCommandValidator()
    {
        RuleFor(c => c.EventType).NotEmpty().Must(EventTypeCatalog.IsKnown).WithErrorCode("unknown_event_type")
            .WithMessage(c => $"Unknown event type '{c.EventType}'. GET /api/v1/event-types lists them.");
    }
}

public sealed class SendTestWebhookCommandHandler(
    WebhookDeliveryLedger ledger, IWebhookEndpointReadModel endpoints, IWebhookDeliveryReadModel deliveries, IClock clock)
    : IRequestHandler<SendTestWebhookCommand, WebhookDeliveryDto>
{
    public async Task<WebhookDeliveryDto> Handle(SendTestWebhookCommand request, CancellationToken cancellationToken)
    {
        var endpoint = await endpoints.FindTargetAsync(request.TenantId, request.EndpointId, cancellationToken) ?? throw WebhookEndpointAggregate.NotFound();
        if (!endpoint.IsEnabled)
            throw new ConflictException("webhook_endpoint_disabled", "The endpoint is disabled; enable it to send it a test.");

        var eventId = Guid.CreateVersion7();
        var deliveryId = WebhookDeliveryDecider.DeliveryId(eventId, endpoint.Id);
        await ledger.HandleAsync([new StreamCommands<WebhookDeliveryCommand>(WebhookDeliveryDecider.StreamId(deliveryId), request.TenantId,
            [new CreateWebhookDelivery(deliveryId, request.TenantId, endpoint.Id, eventId, request.EventType!, IsTest: true, clock.UtcNow)])], cancellationToken);
        return (await deliveries.FindAsync(request.TenantId, deliveryId, cancellationToken))!;
    }
}
