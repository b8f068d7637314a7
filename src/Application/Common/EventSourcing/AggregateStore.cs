using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Common;

namespace Integrations.Application.Common.EventSourcing;

public sealed record Loaded<TState>(TState State, long Version);

public sealed record Decided<TState, TEvent>(TState State, long Version, IReadOnlyList<TEvent> Events, AppendResult? Append);

/// <summary>The commands for one stream, decided in order against the state each one leaves.</summary>
/// <param name="Origin">Whose request they come from, when not the current scope's.</param>
public sealed record StreamCommands<TCommand>(string StreamId, Guid? TenantId, IReadOnlyList<TCommand> Commands, RequestOrigin? Origin = null);

/// <summary>
/// Runs a decider against its streams: one read for all of them, the decider per stream in memory,
/// one append for all of them with the versions that were read. A decider that refuses a command (a
/// domain error) fails the whole batch, so batch callers only send commands the decider is known to
/// accept or ignore. One stream is a batch of one.
/// </summary>
public sealed class AggregateStore(IEventStore store)
{
    public async Task<IReadOnlyDictionary<string, Loaded<TState>>> LoadAsync<TCommand, TState, TEvent>(
        Decider<TCommand, TState, TEvent> decider, IReadOnlyCollection<StreamKey> streamKeys, CancellationToken ct)
    {
        var streams = await store.ReadStreamsAsync(streamKeys, ct);
        return streams.ToDictionary(s => s.Key, s => new Loaded<TState>(
            decider.Fold(s.Value.Select(e => (TEvent)e.Data)), s.Value.Count == 0 ? IEventStore.NoStream : s.Value[^1].StreamVersion));
    }

    public async Task<Loaded<TState>> LoadAsync<TCommand, TState, TEvent>(Decider<TCommand, TState, TEvent> decider, string streamId, Guid? tenantId,
        CancellationToken ct) =>
        (await LoadAsync(decider, [new StreamKey(streamId, tenantId)], ct))[streamId];

    /// <summary>
    /// Starts a stream whose id the caller has just generated (a new UUIDv7): there is nothing to
    /// read, so the command is decided against the initial state and appended as a new stream. Should
    /// the stream exist after all, the append fails as a lost race, like any other.
    /// </summary>
    public async Task<Decided<TState, TEvent>> StartAsync<TCommand, TState, TEvent>(
        Decider<TCommand, TState, TEvent> decider, string streamId, TCommand command, Guid? tenantId, CancellationToken ct)
        where TEvent : notnull
    {
        var fresh = new Dictionary<string, Loaded<TState>> { [streamId] = new(decider.Initial, IEventStore.NoStream) };
        return (await HandleAsync(decider, [new StreamCommands<TCommand>(streamId, tenantId, [command])], ct, fresh))[0];
    }

    /// <param name="expectedVersion">A version the caller pinned (If-Match); a mismatch is a non-retryable conflict.</param>
    public async Task<Decided<TState, TEvent>> HandleAsync<TCommand, TState, TEvent>(
        Decider<TCommand, TState, TEvent> decider, string streamId, TCommand command, Guid? tenantId, CancellationToken ct,
        long? expectedVersion = null)
        where TEvent : notnull
    {
        var loaded = await LoadAsync(decider, [new StreamKey(streamId, tenantId)], ct);
        if (expectedVersion is { } pinned && pinned != loaded[streamId].Version)
            throw new ConcurrencyConflictException(streamId, pinned, loaded[streamId].Version, retryable: false);
        return (await HandleAsync(decider, [new StreamCommands<TCommand>(streamId, tenantId, [command])], ct, loaded))[0];
    }

    /// <param name="loaded">The streams as the caller read them in this transaction, to save reading them again.</param>
    public async Task<IReadOnlyList<Decided<TState, TEvent>>> HandleAsync<TCommand, TState, TEvent>(
        Decider<TCommand, TState, TEvent> decider, IReadOnlyList<StreamCommands<TCommand>> batch, CancellationToken ct,
        IReadOnlyDictionary<string, Loaded<TState>>? loaded = null)
        where TEvent : notnull
    {
        if (batch.Count == 0) return [];
        loaded ??= await LoadAsync(decider, batch.Select(b => new StreamKey(b.StreamId, b.TenantId)).ToList(), ct);

        var decided = new List<Decided<TState, TEvent>>(batch.Count);
        var appends = new List<StreamAppend>();
        foreach (var stream in batch)
        {
            var (state, version) = loaded[stream.StreamId];
            var events = new List<TEvent>();
            foreach (var command in stream.Commands)
            {
                var emitted = decider.Decide(command, state);
                state = emitted.Aggregate(state, decider.Evolve);
                events.AddRange(emitted);
            }
            decided.Add(new Decided<TState, TEvent>(state, version + events.Count, events, null));
            if (events.Count > 0) appends.Add(new StreamAppend(stream.StreamId, version, events.Cast<object>().ToList(), stream.TenantId, stream.Origin));
        }
        if (appends.Count == 0) return decided;

        // Each stream that moved learns the global sequences of its new events (e.g. for outbox headers).
        var sequences = (await store.AppendAsync(appends, ct)).ToLookup(e => e.StreamId, e => e.GlobalSequence);
        return decided.Select((d, i) => d.Events.Count == 0 ? d : d with { Append = new AppendResult(d.Version, sequences[batch[i].StreamId].ToList()) }).ToList();
    }
}
