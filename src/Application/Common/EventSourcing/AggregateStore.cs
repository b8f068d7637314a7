using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Common;

namespace Integrations.Application.Common.EventSourcing;

public sealed record Loaded<TState>(TState State, long Version);

public sealed record Decided<TState, TEvent>(TState State, long Version, IReadOnlyList<TEvent> Events, AppendResult? Append);

/// <summary>Runs a decider against its stream: replay, decide, append with the version that was read.</summary>
public sealed class AggregateStore(IEventStore store)
{
    public async Task<Loaded<TState>> LoadAsync<TCommand, TState, TEvent>(
        Decider<TCommand, TState, TEvent> decider, string streamId, CancellationToken ct)
    {
        var events = await store.ReadStreamAsync(streamId, ct);
        var state = decider.Fold(events.Select(e => (TEvent)e.Data));
        return new Loaded<TState>(state, events.Count == 0 ? IEventStore.NoStream : events[^1].StreamVersion);
    }

    /// <summary>
    /// Starts a stream whose id the caller has just generated (a new UUIDv7): there is nothing to
    /// read, so the command is decided against the initial state and appended as a new stream. Should
    /// the stream exist after all, the append fails as a lost race, like any other.
    /// </summary>
    public async Task<Decided<TState, TEvent>> StartAsync<TCommand, TState, TEvent>(
        Decider<TCommand, TState, TEvent> decider, string streamId, TCommand command, Guid? tenantId, CancellationToken ct)
        where TEvent : notnull
    {
        var events = decider.Decide(command, decider.Initial);
        if (events.Count == 0) return new Decided<TState, TEvent>(decider.Initial, IEventStore.NoStream, events, null);
        var append = await store.AppendAsync(streamId, IEventStore.NoStream, events.Cast<object>().ToList(), tenantId, ct);
        return new Decided<TState, TEvent>(events.Aggregate(decider.Initial, decider.Evolve), append.NewVersion, events, append);
    }

    /// <param name="expectedVersion">A version the caller pinned (If-Match); a mismatch is a non-retryable conflict.</param>
    public async Task<Decided<TState, TEvent>> HandleAsync<TCommand, TState, TEvent>(
        Decider<TCommand, TState, TEvent> decider, string streamId, TCommand command, Guid? tenantId, CancellationToken ct,
        long? expectedVersion = null)
        where TEvent : notnull
    {
        var loaded = await LoadAsync(decider, streamId, ct);
        if (expectedVersion is { } pinned && pinned != loaded.Version)
            throw new ConcurrencyConflictException(streamId, pinned, loaded.Version, retryable: false);

        var events = decider.Decide(command, loaded.State);
        if (events.Count == 0) return new Decided<TState, TEvent>(loaded.State, loaded.Version, events, null);

        var append = await store.AppendAsync(streamId, loaded.Version, events.Cast<object>().ToList(), tenantId, ct);
        var state = events.Aggregate(loaded.State, decider.Evolve);
        return new Decided<TState, TEvent>(state, append.NewVersion, events, append);
    }
}
