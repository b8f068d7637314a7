namespace Integrations.Domain.Common;

/// <summary>
/// An aggregate as two pure functions (the "decider" pattern): <see cref="Decide"/> turns a command
/// and the current state into new events; <see cref="Evolve"/> folds one event into the state.
/// Storage replays a stream through <see cref="Evolve"/> starting from <see cref="Initial"/>.
/// </summary>
public sealed record Decider<TCommand, TState, TEvent>(
    Func<TCommand, TState, IReadOnlyList<TEvent>> Decide,
    Func<TState, TEvent, TState> Evolve,
    TState Initial)
{
    public TState Fold(IEnumerable<TEvent> events) => events.Aggregate(Initial, Evolve);
}
