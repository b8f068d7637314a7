using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Inbound;
using MediatR;

namespace Integrations.Application.Inbound.Commands.DeleteInboundSource;

/// <summary>Deletes a source: its URL answers 404 from now on and its secret is erased; its inbound log stays readable to nobody but the records.</summary>
public sealed record DeleteInboundSourceCommand(Guid TenantId, Guid SourceId) : ICommand<Unit>;

public sealed class DeleteInboundSourceCommandHandler(AggregateStore aggregates, IInboundSources sources, IClock clock)
    : IRequestHandler<DeleteInboundSourceCommand, Unit>
{
    public async Task<Unit> Handle(DeleteInboundSourceCommand request, CancellationToken ct)
    {
        // Another tenant's source is not found, never deleted.
        _ = await sources.FindAsync(request.TenantId, request.SourceId, ct) ?? throw NotFound();
        await aggregates.HandleAsync(InboundSourceDecider.Decider, InboundSourceDecider.StreamId(request.SourceId), new Domain.Inbound.DeleteInboundSource(clock.UtcNow),
            request.TenantId, ct);
        await sources.EraseSecretAsync(request.TenantId, request.SourceId, ct);
        return Unit.Value;
    }

    public static NotFoundException NotFound() => new("inbound_source_not_found", "There is no such inbound source.");
}
