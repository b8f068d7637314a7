using FluentValidation;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Tenants;
using MediatR;

namespace Integrations.Application.Tenants.Commands.UpdateTenant;

/// <param name="ExpectedVersion">From If-Match: the change applies only to that version of the tenant.</param>
public sealed record UpdateTenantCommand(Guid TenantId, string? Plan, long? ExpectedVersion) : ICommand<TenantDto>;

public sealed class UpdateTenantCommandValidator : AbstractValidator<UpdateTenantCommand>
{
    public UpdateTenantCommandValidator()
    {
        RuleFor(c => c.Plan).Must(Plans.IsValid).When(c => c.Plan is not null)
            .WithErrorCode("invalid_plan").WithMessage($"plan must be one of: {string.Join(", ", Plans.All)}.");
    }
}

public sealed class UpdateTenantCommandHandler(AggregateStore aggregates, ICredentialChanges credentials, IClock clock) : IRequestHandler<UpdateTenantCommand, TenantDto>
{
    public async Task<TenantDto> Handle(UpdateTenantCommand request, CancellationToken cancellationToken)
    {
        var streamId = TenantDecider.StreamId(request.TenantId);
        var loaded = await aggregates.LoadAsync(TenantDecider.Decider, streamId, request.TenantId, cancellationToken);
        if (!loaded.State.Exists) throw new NotFoundException("tenant_not_found", "No such tenant.");

        var result = await aggregates.HandleAsync(TenantDecider.Decider, streamId,
            new ChangePlan(request.Plan ?? loaded.State.Plan, clock.UtcNow), request.TenantId, cancellationToken, request.ExpectedVersion);
        // The plan is part of who an API key is (its rate limits).
        if (result.Events.Count > 0) credentials.AnnounceAfterCommit();
        return new TenantDto(request.TenantId, result.State.Name, result.State.Plan, result.State.CreatedAt, result.Version);
    }
}
