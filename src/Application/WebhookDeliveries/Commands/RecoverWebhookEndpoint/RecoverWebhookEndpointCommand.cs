using FluentValidation;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.WebhookEndpoints;
using MediatR;

namespace Integrations.Application.WebhookDeliveries.Commands.RecoverWebhookEndpoint;

public sealed record RecoveredDeliveriesDto(Guid EndpointId, DateTimeOffset Since, int Requeued);

/// <summary>
/// Requeues every delivery of the endpoint dead-lettered at or after <see cref="Since"/>, however
/// many there are, in bounded pages (<see cref="EndpointDeadLetterRecovery"/>). Deliberately not an
/// <c>ICommand</c> (one transaction around everything); if it is interrupted, the pages done stay
/// done and running it again picks up the rest.
/// </summary>
public sealed record RecoverWebhookEndpointCommand(Guid TenantId, Guid EndpointId, DateTimeOffset Since) : IRequest<RecoveredDeliveriesDto>;

public sealed class RecoverWebhookEndpointCommandValidator : AbstractValidator<RecoverWebhookEndpointCommand>
{
    public RecoverWebhookEndpointCommandValidator(IClock clock)
    {
        RuleFor(c => c.Since).NotEmpty().Must(since => since <= clock.UtcNow)
            .WithErrorCode("out_of_range").WithMessage("since must not be in the future.");
    }
}

public sealed class RecoverWebhookEndpointCommandHandler(IWebhookEndpointReadModel endpoints, EndpointDeadLetterRecovery recovery)
    : IRequestHandler<RecoverWebhookEndpointCommand, RecoveredDeliveriesDto>
{
    public async Task<RecoveredDeliveriesDto> Handle(RecoverWebhookEndpointCommand request, CancellationToken cancellationToken)
    {
        _ = await endpoints.FindAsync(request.TenantId, request.EndpointId, cancellationToken) ?? throw WebhookEndpointAggregate.NotFound();
        return new RecoveredDeliveriesDto(request.EndpointId, request.Since,
            await recovery.RecoverAsync(request.TenantId, request.EndpointId, request.Since, cancellationToken));
    }
}
