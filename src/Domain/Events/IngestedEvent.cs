using Integrations.Domain.Common;
using Integrations.Domain.EventTypes;

namespace Integrations.Domain.Events;

// An event published by the customer's product and accepted by the platform ("message" in Svix
// terms). Each one is its own stream: accepted once, then dispatched by the Workers host.

public interface IIngestedEventEvent;

/// <summary><see cref="DataJson"/> is the raw JSON object the product sent, kept verbatim.</summary>
public sealed record EventAccepted(Guid EventId, Guid TenantId, string EventType, string DataJson, DateTimeOffset Timestamp) : IIngestedEventEvent;

public sealed record EventDispatched(Guid EventId, Guid TenantId, DateTimeOffset DispatchedAt) : IIngestedEventEvent;

public abstract record IngestedEventCommand;

public sealed record AcceptEvent(Guid EventId, Guid TenantId, string EventType, string DataJson, DateTimeOffset Now) : IngestedEventCommand;

public sealed record MarkDispatched(DateTimeOffset Now) : IngestedEventCommand;

public enum IngestedEventStatus { None, Accepted, Dispatched }

public sealed record IngestedEventState(Guid EventId, Guid TenantId, string EventType, IngestedEventStatus Status)
{
    public static readonly IngestedEventState None = new(Guid.Empty, Guid.Empty, "", IngestedEventStatus.None);
}

public static class IngestedEventDecider
{
    public static readonly Decider<IngestedEventCommand, IngestedEventState, IIngestedEventEvent> Decider =
        new(Decide, Evolve, IngestedEventState.None);

    public static string StreamId(Guid eventId) => $"event-{eventId:N}";

    public static IReadOnlyList<IIngestedEventEvent> Decide(IngestedEventCommand command, IngestedEventState state) => command switch
    {
        AcceptEvent c when state.Status != IngestedEventStatus.None =>
            throw new DomainException("event_exists", $"Event {c.EventId} was already accepted."),
        AcceptEvent c when !EventTypeCatalog.IsKnown(c.EventType) =>
            throw new DomainException("unknown_event_type", $"Unknown event type '{c.EventType}'."),
        AcceptEvent c => [new EventAccepted(c.EventId, c.TenantId, c.EventType, c.DataJson, c.Now)],
        MarkDispatched when state.Status == IngestedEventStatus.None =>
            throw new DomainException("event_not_found", "The event does not exist."),
        // Redelivery from Kafka lands here: dispatching twice changes nothing.
        MarkDispatched when state.Status == IngestedEventStatus.Dispatched => [],
        MarkDispatched c => [new EventDispatched(state.EventId, state.TenantId, c.Now)],
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown event command."),
    };

    public static IngestedEventState Evolve(IngestedEventState state, IIngestedEventEvent @event) => @event switch
    {
        EventAccepted e => new IngestedEventState(e.EventId, e.TenantId, e.EventType, IngestedEventStatus.Accepted),
        EventDispatched => state with { Status = IngestedEventStatus.Dispatched },
        _ => state,
    };
}
