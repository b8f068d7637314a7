using FluentValidation;
using Integrations.Application.Common.Behaviours;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.WebhookEndpoints;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.WebhookDeliveries.Commands.RecoverWebhookEndpoint;

public sealed record RecoveredDeliveriesDto(Guid EndpointId, DateTimeOffset Since, int Requeued);

/// <summary>
/// Requeues every delivery of the endpoint dead-lettered at or after <see cref="Since"/>, however
/// many there are: it walks them in keyset pages of <see cref="RecoverWebhookEndpointCommandHandler.PageSize"/>
/// and requeues each page (<see cref="DeadLetterRequeue"/>) in a transaction of its own, retried like a
/// command's when it loses a race, so memory and transaction size stay bounded.
/// Deliberately not an <c>ICommand</c> (one transaction around everything); if it is interrupted,
/// the pages done stay done and running it again picks up the rest.
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

public sealed class RecoverWebhookEndpointCommandHandler(
    IWebhookEndpointReadModel endpoints, IWebhookDeliveryReadModel deliveries, DeadLetterRequeue requeue, IUnitOfWork unitOfWork,
    ILogger<RecoverWebhookEndpointCommandHandler> logger)
    : IRequestHandler<RecoverWebhookEndpointCommand, RecoveredDeliveriesDto>
{
    public const int PageSize = 500;

    public async Task<RecoveredDeliveriesDto> Handle(RecoverWebhookEndpointCommand request, CancellationToken cancellationToken)
    {
        _ = await endpoints.FindAsync(request.TenantId, request.EndpointId, cancellationToken) ?? throw WebhookEndpointAggregate.NotFound();
        var requeued = 0;
        FailedDeliveryPosition? after = null;
        while (true)
        {
            var page = await deliveries.ListFailedAsync(request.EndpointId, request.Since, after, PageSize, cancellationToken);
            if (page.Count == 0) break;
            var ids = page.Select(p => p.Id).ToList();
            requeued += await UnitOfWorkRetry.ExecuteAsync(unitOfWork, ct => requeue.RequeueAsync(request.TenantId, ids, ct),
                "RequeueWebhookDeliveries", logger, cancellationToken);
            after = page[^1];
        }
        return new RecoveredDeliveriesDto(request.EndpointId, request.Since, requeued);
    }
}
