using FluentValidation;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Projections.Commands.RebuildProjection;

public sealed record ProjectionRebuiltDto(string Name, long EventsReplayed);

/// <summary>Admin: rebuild a read model from the event log (after a projection bug fix, or to add one).</summary>
public sealed record RebuildProjectionCommand(string Name) : IQuery<ProjectionRebuiltDto>;

public sealed class RebuildProjectionCommandValidator : AbstractValidator<RebuildProjectionCommand>
{
    public RebuildProjectionCommandValidator(IProjectionRebuilder rebuilder)
    {
        RuleFor(c => c.Name).Must(n => rebuilder.ProjectionNames.Contains(n))
            .WithErrorCode("unknown_projection").WithMessage($"Unknown projection. Known: {string.Join(", ", rebuilder.ProjectionNames)}.");
    }
}

public sealed class RebuildProjectionCommandHandler(IProjectionRebuilder rebuilder) : IRequestHandler<RebuildProjectionCommand, ProjectionRebuiltDto>
{
    public async Task<ProjectionRebuiltDto> Handle(RebuildProjectionCommand request, CancellationToken cancellationToken) =>
        new(request.Name, await rebuilder.RebuildAsync(request.Name, cancellationToken));
}
