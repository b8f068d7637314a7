using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connectors.Pipelines.Routing;
using Integrations.Application.WebhookDeliveries;
using Integrations.Domain.Events;
using MediatR;

namespace Integrations.Application.EventDispatch.Commands.DispatchEvents;

/// <summary>What the Workers host does with accepted events read from integrations.events.v1.</summary>
public sealed record DispatchEventsResult(int Dispatched, int DeliveriesCreated);

/// <summary>
/// The Workers host's handling of a batch of accepted events, in one transaction: each event is
/// marked dispatched, its webhook deliveries are created, its connector calls are written to the call
/// ledger (<see cref="ConnectorRouting"/>: one per matching route; sent later from the ledger, so no
/// provider holds this up) and its outbox row is completed. Because completion commits with the
/// deliveries and the calls, an event whose message never reached the Workers host stays incomplete
/// and the outbox sweeper publishes it again: nothing the relay published is lost to webhooks or
/// connectors (before, connectors read the topic in a group of their own, whose losses no one saw). Idempotent: the decider emits
/// nothing for an event already dispatched, and only the events this transaction dispatches are
/// fanned out, so a redelivered message changes nothing (two consumers dispatching the same event
/// at once collide on its stream's version and the loser's retry finds it dispatched). A message
/// naming an event that does not exist, or another tenant's event, is not ours to act on and is
/// ignored.
/// </summary>
public sealed record DispatchEventsCommand(IReadOnlyList<FanOutEvent> Events) : ICommand<DispatchEventsResult>;

public sealed class DispatchEventsCommandHandler(
    AggregateStore aggregates, WebhookFanOut fanOut, ConnectorRouting routing, IOutbox outbox, IClock clock)
    : IRequestHandler<DispatchEventsCommand, DispatchEventsResult>
{
    private static readonly System.Text.Json.JsonElement NoData = System.Text.Json.JsonDocument.Parse("{}").RootElement;

    public async Task<DispatchEventsResult> Handle(DispatchEventsCommand request, CancellationToken cancellationToken)
    {
        // A message may come twice in a batch (republished by the sweeper): once is enough.
        var events = request.Events.DistinctBy(e => e.EventId).ToList();
        var loaded = await aggregates.LoadAsync(IngestedEventDecider.Decider, events.Select(e => new StreamKey(IngestedEventDecider.StreamId(e.EventId), e.TenantId)).ToList(), cancellationToken);
        var known = events.Where(e => loaded[IngestedEventDecider.StreamId(e.EventId)].State is { Status: not IngestedEventStatus.None } state
                                      && state.TenantId == e.TenantId)
            .Select(e => e with { EventType = loaded[IngestedEventDecider.StreamId(e.EventId)].State.EventType })
            .ToList();
        if (known.Count == 0) return new DispatchEventsResult(0, 0);

        var now = clock.UtcNow;
        var dispatched = await aggregates.HandleAsync(IngestedEventDecider.Decider,
            known.Select(e => new StreamCommands<IngestedEventCommand>(IngestedEventDecider.StreamId(e.EventId), e.TenantId, [new MarkDispatched(now)])).ToList(),
            cancellationToken, loaded);
        var newlyDispatched = known.Where((_, i) => dispatched[i].Events.Count > 0).ToList();
        var created = await fanOut.CreateDeliveriesAsync(newlyDispatched, cancellationToken);
        // The same transaction: completing the outbox row below vouches for the calls too.
        await routing.RouteAsync([.. newlyDispatched.Select(e => new RoutedEvent(e.EventId, e.TenantId, e.EventType, e.Timestamp, e.Data ?? NoData))],
            cancellationToken);
        await outbox.MarkCompletedAsync(known.Select(e => e.EventId).ToList(), cancellationToken);
        return new DispatchEventsResult(newlyDispatched.Count, created);
    }
}
