using FluentValidation;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Inbound.Commands.DeleteInboundSource;
using Integrations.Domain.Inbound;
using MediatR;

namespace Integrations.Application.Inbound.Commands.UpdateInboundSource;

/// <summary>A merge patch of a source: <paramref name="SilenceAlertAfterSeconds"/> null leaves the alert as it is, 0 switches it off.</summary>
public sealed record UpdateInboundSourceCommand(Guid TenantId, Guid SourceId, int? SilenceAlertAfterSeconds) : ICommand<InboundSourceDto>;

public sealed class UpdateInboundSourceCommandValidator : AbstractValidator<UpdateInboundSourceCommand>
{
    public UpdateInboundSourceCommandValidator()
    {
        RuleFor(c => c.SilenceAlertAfterSeconds).Must(s => s == 0 || SilenceAlert.Problem(s) is null).WithErrorCode("invalid_value")
            .WithMessage(SilenceAlert.Problem(0)!.Replace("or null for none", "or 0 to switch it off", StringComparison.Ordinal));
    }
}

public sealed class UpdateInboundSourceCommandHandler(AggregateStore aggregates, IInboundSources sources, IClock clock)
    : IRequestHandler<UpdateInboundSourceCommand, InboundSourceDto>
{
    public async Task<InboundSourceDto> Handle(UpdateInboundSourceCommand request, CancellationToken ct)
    {
        // Another tenant's source is not found, never changed.
        _ = await sources.FindAsync(request.TenantId, request.SourceId, ct) ?? throw DeleteInboundSourceCommandHandler.NotFound();
        if (request.SilenceAlertAfterSeconds is { } seconds)
            await aggregates.HandleAsync(InboundSourceDecider.Decider, InboundSourceDecider.StreamId(request.SourceId),
                new SetInboundSourceSilenceAlert(seconds == 0 ? null : seconds, clock.UtcNow), request.TenantId, ct);
        return await sources.FindAsync(request.TenantId, request.SourceId, ct) ?? throw DeleteInboundSourceCommandHandler.NotFound();
    }
}
