using FluentValidation;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Webhooks;
using MediatR;

namespace Integrations.Application.WebhookEndpoints.Commands.DisableWebhookEndpoint;

/// <summary>
/// Stops deliveries to an endpoint. The tenant's reason is "manual"; the delivery side disables with
/// "consecutive_failures" or "gone" through the same <see cref="WebhookEndpointDisabler"/>, inside
/// its own recording transaction. Every transition to disabled also records the platform event
/// webhook_endpoint.disabled for the tenant, in the same transaction. Disabling a disabled endpoint
/// changes nothing and emits nothing.
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

public sealed class DisableWebhookEndpointCommandHandler(WebhookEndpointDisabler disabler, IWebhookEndpointReadModel endpoints)
    : IRequestHandler<DisableWebhookEndpointCommand, WebhookEndpointDto>
{
    public async Task<WebhookEndpointDto> Handle(DisableWebhookEndpointCommand request, CancellationToken cancellationToken)
    {
        await disabler.DisableAsync(request.TenantId, request.EndpointId, request.Reason, request.Message, cancellationToken);
        return (await endpoints.FindAsync(request.TenantId, request.EndpointId, cancellationToken))!;
    }
}
