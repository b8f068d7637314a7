using System.Text.Json.Serialization;
using FluentValidation;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Tenants;
using MediatR;

namespace Integrations.Application.Tenants.Commands.CreateTenant;

public sealed record CreateTenantCommand(string Name, string Plan, [property: JsonIgnore] string? IdempotencyKey = null)
    : ICommand<TenantDto>, IIdempotentCommand
{
    [JsonIgnore] public string IdempotencyScope => "admin";
}

public sealed class CreateTenantCommandValidator : AbstractValidator<CreateTenantCommand>
{
    public CreateTenantCommandValidator()
    {
        RuleFor(c => c.Name).NotEmpty().MaximumLength(200);
        RuleFor(c => c.Plan).NotEmpty().Must(Plans.IsValid)
            .WithErrorCode("invalid_plan").WithMessage($"plan must be one of: {string.Join(", ", Plans.All)}.");
        RuleFor(c => c.IdempotencyKey).MaximumLength(255).OverridePropertyName("Idempotency-Key");
    }
}

public sealed class CreateTenantCommandHandler(AggregateStore aggregates, IClock clock) : IRequestHandler<CreateTenantCommand, TenantDto>
{
    public async Task<TenantDto> Handle(CreateTenantCommand request, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        var result = await aggregates.HandleAsync(TenantDecider.Decider, TenantDecider.StreamId(id),
            new Domain.Tenants.CreateTenant(id, request.Name, request.Plan, clock.UtcNow), id, cancellationToken);
        var created = (TenantCreated)result.Events[0];
        return new TenantDto(id, created.Name, created.Plan, created.CreatedAt, result.Version);
    }
}
