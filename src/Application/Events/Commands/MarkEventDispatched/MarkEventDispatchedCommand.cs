using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Events;
using MediatR;

namespace Integrations.Application.Events.Commands.MarkEventDispatched;

/// <summary>
/// The Workers host's handling of an event from integrations.events.v1. Idempotent: the decider
/// emits nothing for an event already dispatched, so a redelivered message changes nothing.
/// Returns whether this call did the work.
/// </summary>
public sealed record MarkEventDispatchedCommand(Guid TenantId, Guid EventId) : ICommand<bool>;

public sealed class MarkEventDispatchedCommandHandler(AggregateStore aggregates, IOutbox outbox, IClock clock)
    : IRequestHandler<MarkEventDispatchedCommand, bool>
{
    public async Task<bool> Handle(MarkEventDispatchedCommand request, CancellationToken cancellationToken)
    {
        var streamId = IngestedEventDecider.StreamId(request.EventId);
        var loaded = await aggregates.LoadAsync(IngestedEventDecider.Decider, streamId, cancellationToken);
        // A message whose tenant does not match its stream is not ours to act on.
        if (loaded.State.Status == IngestedEventStatus.None || loaded.State.TenantId != request.TenantId) return false;

        var result = await aggregates.HandleAsync(IngestedEventDecider.Decider, streamId, new MarkDispatched(clock.UtcNow), request.TenantId, cancellationToken);
        await outbox.MarkCompletedAsync(request.EventId, cancellationToken);
        return result.Events.Count > 0;
    }
}
