using System.Text.Json;
using FluentValidation;
using Integrations.Application.Common;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Events;
using Integrations.Domain.EventTypes;
using Integrations.Domain.Webhooks;
using MediatR;

namespace Integrations.Application.WebhookEndpoints.Commands.DisableWebhookEndpoint;

/// <summary>
/// Stops deliveries to an endpoint: by the tenant (reason "manual") or by the delivery side after
/// too many consecutive failures ("consecutive_failures") or a 410 ("gone"). Every transition to
/// disabled also records the platform event webhook_endpoint.disabled for the tenant, in the same
/// transaction and through the same path as ingested events, so the tenant hears of it on its other
/// endpoints and on Kafka. Disabling a disabled endpoint changes nothing and emits nothing.
/// </summary>
/// <param name="Reason">One of <see cref="DisabledReasons"/>.</param>
/// <param name="Message">Shown to the tenant on the endpoint and in the event, e.g. the last error.</param>
public sealed record DisableWebhookEndpointCommand(Guid TenantId, Guid EndpointId, string Reason, string Message) : ICommand<WebhookEndpointDto>;

public sealed class DisableWebhookEndpointCommandValidator : AbstractValidator<DisableWebhookEndpointCommand>
{
    public const int MaxMessageLength = 1000;

    public DisableWebhookEndpointCommandValidator()
    {
        RuleFor(c => c.Reason).Must(r => r is DisabledReasons.Manual or DisabledReasons.ConsecutiveFailures or DisabledReasons.Gone)
            .WithErrorCode("invalid_reason").WithMessage("reason must be manual, consecutive_failures or gone.");
        RuleFor(c => c.Message).NotEmpty().MaximumLength(MaxMessageLength);
    }
}

public sealed class DisableWebhookEndpointCommandHandler(
    WebhookEndpointAggregate endpointAggregate, IWebhookEndpointReadModel endpoints, EventRecorder recorder, IClock clock)
    : IRequestHandler<DisableWebhookEndpointCommand, WebhookEndpointDto>
{
    public async Task<WebhookEndpointDto> Handle(DisableWebhookEndpointCommand request, CancellationToken cancellationToken)
    {
        var result = await endpointAggregate.HandleAsync(request.TenantId, request.EndpointId,
            new Domain.Webhooks.DisableWebhookEndpoint(request.Reason, request.Message, clock.UtcNow), cancellationToken);

        foreach (var disabled in result.Events.OfType<WebhookEndpointDisabled>())
        {
            var data = JsonSerializer.SerializeToElement(
                new DisabledEventData(disabled.EndpointId, result.State.Url, disabled.Reason, disabled.Message, disabled.DisabledAt), JsonDefaults.Options);
            await recorder.RecordAsync(request.TenantId, EventTypeCatalog.WebhookEndpointDisabled, data, cancellationToken);
        }
        return (await endpoints.FindAsync(request.TenantId, request.EndpointId, cancellationToken))!;
    }

    /// <summary>The data of webhook_endpoint.disabled, as its catalog schema describes it.</summary>
    private sealed record DisabledEventData(Guid EndpointId, string Url, string Reason, string Message, DateTimeOffset DisabledAt);
}
