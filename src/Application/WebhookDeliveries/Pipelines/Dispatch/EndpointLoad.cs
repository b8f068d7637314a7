using System.Collections.Concurrent;
using System.Diagnostics;
using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;

/// <summary>
/// This Workers instance's own view of the endpoints it sends to: the deliveries it holds for each
/// and their connection slots, how fast each answers, and each one's failures in a row here. The
/// admission asks it how much more of an endpoint to take on (<see cref="Room"/>,
/// <see cref="ResponseTime"/>); the send step takes and gives back connections and reports answers.
/// </summary>
public sealed class EndpointLoad(WebhookDispatcherOptions options)
{
    private static readonly TimeSpan DefaultResponseTime = TimeSpan.FromMilliseconds(100);
    // A fast endpoint may have this many times its connections claimed...
    private const int MaxHoldFactor = 8;
    // ...as many as it answers in this long.
    private static readonly TimeSpan HoldWindow = TimeSpan.FromMilliseconds(100);

    // Per endpoint with deliveries held: how many, and its connection slots. Guarded by itself.
    private readonly Dictionary<Guid, EndpointSlots> _endpoints = new();
    private readonly ConcurrentDictionary<Guid, double> _responseMs = new();
    // Per endpoint, when a request of it last finished, or when it last went from idle to busy.
    private readonly ConcurrentDictionary<Guid, long> _lastProgress = new();
    // Per endpoint, this instance's own failures in a row and when the last one finished (see TrippedHere).
    private readonly ConcurrentDictionary<Guid, (int Failures, long LastAt)> _streaks = new();

    /// <summary>
    /// How many more deliveries of the endpoint this instance may take on now: its connections, and
    /// for an endpoint that answers fast, as many more as it answers in <see cref="HoldWindow"/>
    /// (at most <see cref="MaxHoldFactor"/> times its connections), less what it holds already.
    /// Without the extra, a busy fast endpoint's next deliveries would be claimed and deferred
    /// again and again while its connections free up every few milliseconds.
    /// </summary>
    public int Room(Guid endpointId)
    {
        var connections = options.MaxConcurrencyPerEndpoint;
        var factor = Math.Clamp((int)(HoldWindow / ResponseTime(endpointId)), 1, MaxHoldFactor);
        lock (_endpoints) return connections * factor - (_endpoints.TryGetValue(endpointId, out var slots) ? slots.Held : 0);
    }

    /// <summary>A claimed delivery of the endpoint is held here from now on; returns the endpoint's connection slots.</summary>
    public EndpointSlots Hold(Guid endpointId)
    {
        EndpointSlots slots;
        lock (_endpoints)
        {
            if (!_endpoints.TryGetValue(endpointId, out slots!))
            {
                _endpoints[endpointId] = slots = new EndpointSlots(options.MaxConcurrencyPerEndpoint);
                // An idle endpoint starts with a clean slate: its silence so far says nothing about its speed.
                _lastProgress[endpointId] = Stopwatch.GetTimestamp();
            }
            slots.Held++;
        }
        return slots;
    }

    /// <summary>The endpoint answered an attempt (or none came): its speed and this instance's failure streak follow.</summary>
    public void Answered(Guid endpointId, SendResult result)
    {
        _responseMs.AddOrUpdate(endpointId, result.DurationMs, (_, average) => average * 0.8 + result.DurationMs * 0.2);
        if (AttemptOutcome.IsSuccess(result.StatusCode)) _streaks.TryRemove(endpointId, out _);
        else _streaks.AddOrUpdate(endpointId, (1, Stopwatch.GetTimestamp()), (_, streak) => (streak.Failures + 1, Stopwatch.GetTimestamp()));
        _lastProgress[endpointId] = Stopwatch.GetTimestamp();
    }

    /// <summary>A delivery held by <see cref="Hold"/> is done with (its connection, if it had one, given back already).</summary>
    public void Release(Guid endpointId, EndpointSlots slots)
    {
        lock (_endpoints)
        {
            // Nobody else can be using the slots of an endpoint that holds nothing: forget it.
            if (--slots.Held == 0) _endpoints.Remove(endpointId);
        }
    }

    /// <summary>
    /// Whether this instance itself saw the endpoint fail Webhooks:CircuitBreaker:FailureThreshold
    /// times in a row within the last OpenFor. A claim hands out up to eight times an endpoint's
    /// connections at once, all before the first of their failures is recorded; an endpoint that
    /// refuses connections failed them all within a second (over a hundred: auto-disabled by one
    /// burst). The queue's circuit decides only at the next claim, so the deliveries still waiting
    /// here go back instead. After OpenFor without a failure here the queue's circuit decides alone,
    /// so a stale streak never keeps an endpoint from its deliveries.
    /// </summary>
    public bool TrippedHere(Guid endpointId)
    {
        var breaker = options.CircuitBreaker;
        return breaker.FailureThreshold > 0 && _streaks.TryGetValue(endpointId, out var streak) && streak.Failures >= breaker.FailureThreshold
               && Stopwatch.GetElapsedTime(streak.LastAt) < breaker.OpenFor;
    }

    /// <summary>
    /// About how long the endpoint takes to answer: the moving average of its answers, but at least
    /// as long as it has now gone without finishing any request while some are in flight, so an
    /// endpoint that starts hanging is recognised before its first timeout.
    /// </summary>
    public TimeSpan ResponseTime(Guid endpointId)
    {
        var average = _responseMs.TryGetValue(endpointId, out var ms) ? TimeSpan.FromMilliseconds(Math.Max(ms, 10)) : DefaultResponseTime;
        bool busy;
        lock (_endpoints) busy = _endpoints.ContainsKey(endpointId);
        var stalled = busy && _lastProgress.TryGetValue(endpointId, out var progress)
            ? Stopwatch.GetElapsedTime(progress)
            : TimeSpan.Zero;
        return stalled > average ? stalled : average;
    }
}

/// <summary>An endpoint's deliveries held by this instance, and its connection slots.</summary>
public sealed class EndpointSlots(int connections)
{
    internal int Held;

    public SemaphoreSlim Connections { get; } = new(connections, connections);
}
