using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Common;

namespace Integrations.Application.Common.EventSourcing;

/// <summary>The commands for one stream, decided in order against the state each one leaves.</summary>
/// <param name="Origin">Whose request they come from, when not the current scope's.</param>
public sealed record StreamCommands<TCommand>(string StreamId, Guid? TenantId, IReadOnlyList<TCommand> Commands, RequestOrigin? Origin = null);

/// <summary>
/// <see cref="AggregateStore"/> for many streams: one read for all of them, the decider per stream
/// in memory, one append for all of them. A decider that refuses a command (a domain error) fails
/// the whole batch, so callers only send commands the decider is known to accept or ignore.
/// </summary>
public sealed class BatchAggregateStore(IBatchEventStore store)
{
    public async Task<IReadOnlyDictionary<string, Loaded<TState>>> LoadAsync<TCommand, TState, TEvent>(
        Decider<TCommand, TState, TEvent> decider, IReadOnlyCollection<string> streamIds, CancellationToken ct)
    {
        var streams = await store.ReadStreamsAsync(streamIds, ct);
        return streams.ToDictionary(s => s.Key, s => new Loaded<TState>(
            decider.Fold(s.Value.Select(e => (TEvent)e.Data)), s.Value.Count == 0 ? IEventStore.NoStream : s.Value[^1].StreamVersion));
    }

    /// <param name="loaded">The streams as the caller read them in this transaction, to save reading them again.</param>
    public async Task<IReadOnlyList<Decided<TState, TEvent>>> HandleAsync<TCommand, TState, TEvent>(
        Decider<TCommand, TState, TEvent> decider, IReadOnlyList<StreamCommands<TCommand>> batch, CancellationToken ct,
        IReadOnlyDictionary<string, Loaded<TState>>? loaded = null)
        where TEvent : notnull
    {
        if (batch.Count == 0) return [];
        loaded ??= await LoadAsync(decider, batch.Select(b => b.StreamId).ToList(), ct);

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

        // Like AggregateStore: each stream that moved learns the global sequences of its new events.
        var sequences = (await store.AppendAsync(appends, ct)).ToLookup(e => e.StreamId, e => e.GlobalSequence);
        return decided.Select((d, i) => d.Events.Count == 0 ? d : d with { Append = new AppendResult(d.Version, sequences[batch[i].StreamId].ToList()) }).ToList();
    }
}
