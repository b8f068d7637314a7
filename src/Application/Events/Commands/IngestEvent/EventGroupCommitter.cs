using Integrations.Application.Common.Behaviours;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Events.Commands.IngestEvent;

/// <summary>An event to accept, with its request's Idempotency-Key (scope, key and request hash) if it has one.</summary>
public sealed record GroupedEvent(NewEvent Event, (string Scope, string Key, string RequestHash)? Idempotency);

/// <summary>The accepted event; <paramref name="Replayed"/> when it is the stored result of an earlier request with the same key.</summary>
public sealed record GroupedEventResult(EventAcceptedDto Accepted, bool Replayed);

/// <summary>
/// Group commit for single-event publishing. A transaction per request made PostgreSQL pay a
/// BEGIN, a COMMIT and a round trip per statement for every event; here the requests that arrive
/// while a group is being written form the next group, written in one transaction by the
/// set-based path of the batch endpoint (docs/webhooks.md#performance). Nothing waits to fill a
/// group: a request that finds no write in progress starts one at once, so a lone request costs
/// what it cost before and only concurrent requests share transactions.
///
/// Each request keeps its own outcome: its idempotency record commits with its event (a repeat
/// replays it, the same key with another request is refused), a request for an unknown tenant is
/// refused alone, and a group that fails as a whole is written again one request at a time, so
/// one request that the database refuses fails only itself. A second request with a key already
/// in the group waits for the next group, where it finds the first one's record.
/// </summary>
public sealed class EventGroupCommitter(IServiceScopeFactory scopes, IClock clock, ILogger<EventGroupCommitter> logger)
{
    /// <summary>The batch endpoint's limit: a group is never a larger transaction than a batch.</summary>
    public const int MaxGroupSize = 100;

    private readonly Lock _gate = new();
    private readonly List<Pending> _queue = [];
    private bool _writing;

    public Task<GroupedEventResult> SubmitAsync(GroupedEvent submitted, CancellationToken ct)
    {
        var pending = new Pending(submitted);
        bool start;
        lock (_gate)
        {
            _queue.Add(pending);
            start = !_writing;
            _writing = true;
        }
        if (start) _ = Task.Run(WriteQueuedAsync, CancellationToken.None);
        // A request that goes away still has its event written (as when it goes away during a
        // commit); its client retries with the same Idempotency-Key and gets the stored answer.
        return pending.Result.Task.WaitAsync(ct);
    }

    private async Task WriteQueuedAsync()
    {
        while (true)
        {
            List<Pending> group;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _writing = false;
                    return;
                }
                group = TakeGroup();
            }
            await WriteAsync(group);
        }
    }

    /// <summary>Up to <see cref="MaxGroupSize"/> requests in arrival order, each idempotency key at most once.</summary>
    private List<Pending> TakeGroup()
    {
        var group = new List<Pending>(Math.Min(_queue.Count, MaxGroupSize));
        var keys = new HashSet<(string, string)>();
        var left = new List<Pending>();
        foreach (var pending in _queue)
        {
            var later = group.Count == MaxGroupSize || pending.Event.Idempotency is { } key && !keys.Add((key.Scope, key.Key));
            (later ? left : group).Add(pending);
        }
        _queue.Clear();
        _queue.AddRange(left);
        return group;
    }

    private async Task WriteAsync(IReadOnlyList<Pending> group)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var services = scope.ServiceProvider;
            var outcomes = await UnitOfWorkRetry.ExecuteAsync(services.GetRequiredService<IUnitOfWork>(),
                ct => WriteInTransactionAsync(services, group, ct), nameof(EventGroupCommitter), logger, CancellationToken.None);
            for (var i = 0; i < group.Count; i++)
            {
                if (outcomes[i]!.Error is { } error) group[i].Result.TrySetException(error);
                else group[i].Result.TrySetResult(outcomes[i]!.Result!);
            }
        }
        catch (Exception ex) when (group.Count > 1)
        {
            logger.LogWarning(ex, "A group commit of {Count} events failed; writing them one at a time", group.Count);
            foreach (var pending in group) await WriteAsync([pending]);
        }
        catch (Exception ex)
        {
            group[0].Result.TrySetException(ex);
        }
    }

    /// <summary>What the pipeline did for one request (IdempotencyBehaviour, then the handler), for a whole group in one transaction.</summary>
    private async Task<Outcome?[]> WriteInTransactionAsync(IServiceProvider services, IReadOnlyList<Pending> group, CancellationToken ct)
    {
        var outcomes = new Outcome?[group.Count];
        var store = services.GetRequiredService<IIdempotencyStore>();
        var keyed = Enumerable.Range(0, group.Count).Where(i => group[i].Event.Idempotency is not null).ToList();
        if (keyed.Count > 0)
        {
            var stored = (await store.FindManyAsync(keyed.Select(i => (group[i].Event.Idempotency!.Value.Scope, group[i].Event.Idempotency!.Value.Key)).ToList(), ct))
                .ToDictionary(r => (r.Scope, r.Key));
            foreach (var i in keyed)
            {
                var (scope, key, hash) = group[i].Event.Idempotency!.Value;
                if (!stored.TryGetValue((scope, key), out var record)) continue;
                try
                {
                    outcomes[i] = new Outcome(new GroupedEventResult(IdempotencyRecords.Replay<EventAcceptedDto>(record, hash), Replayed: true), null);
                }
                catch (IdempotencyKeyReusedException reused)
                {
                    outcomes[i] = new Outcome(null, reused);
                }
            }
        }

        var tenants = services.GetRequiredService<ITenantReadModel>();
        foreach (var tenantId in group.Select(p => p.Event.Event.TenantId).Distinct())
        {
            if (await tenants.FindAsync(tenantId, ct) is not null) continue;
            for (var i = 0; i < group.Count; i++)
                if (outcomes[i] is null && group[i].Event.Event.TenantId == tenantId)
                    outcomes[i] = new Outcome(null, new NotFoundException("tenant_not_found", "No such tenant."));
        }

        var accepting = Enumerable.Range(0, group.Count).Where(i => outcomes[i] is null).ToList();
        if (accepting.Count == 0) return outcomes;
        var accepted = await services.GetRequiredService<EventRecorder>().RecordManyAsync(accepting.Select(i => group[i].Event.Event).ToList(), ct);
        var records = new List<IdempotencyRecord>();
        var now = clock.UtcNow;
        for (var j = 0; j < accepting.Count; j++)
        {
            var i = accepting[j];
            outcomes[i] = new Outcome(new GroupedEventResult(accepted[j], Replayed: false), null);
            if (group[i].Event.Idempotency is { } idempotency)
                records.Add(IdempotencyRecords.For(idempotency.Scope, idempotency.Key, idempotency.RequestHash, accepted[j], now));
        }
        // In key order, so two groups (of two API instances) never wait for each other's keys in opposite orders.
        await store.SaveManyAsync(
            records.OrderBy(r => r.Scope, StringComparer.Ordinal).ThenBy(r => r.Key, StringComparer.Ordinal).ToList(), ct);
        return outcomes;
    }

    private sealed record Outcome(GroupedEventResult? Result, Exception? Error);

    private sealed class Pending(GroupedEvent submitted)
    {
        public GroupedEvent Event { get; } = submitted;

        public TaskCompletionSource<GroupedEventResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
