using FluentValidation;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.WebhookDeliveries;
using MediatR;

namespace Integrations.Application.DeadLetters.Commands.ReplayTenantDeadLetters;

/// <param name="Endpoints">Endpoints whose dead letters were requeued.</param>
/// <param name="SkippedEndpoints">Endpoints deleted since: their dead letters have nowhere to go and stay.</param>
public sealed record ReplayedDeadLettersDto(Guid TenantId, DateTimeOffset Since, int Endpoints, int SkippedEndpoints, int Requeued);

/// <summary>
/// Admin: requeues every dead-lettered webhook delivery of the tenant since <see cref="Since"/> (all
/// of them when absent), endpoint by endpoint as an endpoint's recover does
/// (<see cref="EndpointDeadLetterRecovery"/>, bounded pages). Like that one not one transaction:
/// if interrupted, running it again requeues the rest.
/// </summary>
public sealed record ReplayTenantDeadLettersCommand(Guid TenantId, DateTimeOffset? Since) : IRequest<ReplayedDeadLettersDto>;

public sealed class ReplayTenantDeadLettersCommandValidator : AbstractValidator<ReplayTenantDeadLettersCommand>
{
    public ReplayTenantDeadLettersCommandValidator(IClock clock) =>
        RuleFor(c => c.Since).Must(since => since is null || since <= clock.UtcNow).WithErrorCode("out_of_range").WithMessage("since must not be in the future.");
}

public sealed class ReplayTenantDeadLettersCommandHandler(
    ITenantReadModel tenants, IDeadLetterReadModel deadLetters, IWebhookEndpointReadModel endpoints, EndpointDeadLetterRecovery recovery)
    : IRequestHandler<ReplayTenantDeadLettersCommand, ReplayedDeadLettersDto>
{
    public async Task<ReplayedDeadLettersDto> Handle(ReplayTenantDeadLettersCommand request, CancellationToken cancellationToken)
    {
        _ = await tenants.FindAsync(request.TenantId, cancellationToken) ?? throw new NotFoundException("tenant_not_found", "No such tenant.");
        var since = request.Since ?? DateTimeOffset.UnixEpoch;
        int replayedEndpoints = 0, skipped = 0, requeued = 0;
        foreach (var endpointId in await deadLetters.ListEndpointsAsync(request.TenantId, cancellationToken))
        {
            // A deleted endpoint's dead letters have nowhere to go.
            if (await endpoints.FindAsync(request.TenantId, endpointId, cancellationToken) is null)
            {
                skipped++;
                continue;
            }
            requeued += await recovery.RecoverAsync(request.TenantId, endpointId, since, cancellationToken);
            replayedEndpoints++;
        }
        return new ReplayedDeadLettersDto(request.TenantId, since, replayedEndpoints, skipped, requeued);
    }
}
