using System.Collections.Concurrent;
using Integrations.Application.Common.Interfaces;

namespace Integrations.Infrastructure.RateLimiting;

/// <summary>
/// Counters in this process only: right for a single API instance, wrong for several (each would
/// grant the full quota). Windows are aligned on the epoch like the PostgreSQL store's.
/// </summary>
public sealed class MemoryRateLimitCounterStore(TimeProvider time) : IRateLimitCounterStore
{
    private sealed class Window(long start)
    {
        public readonly long Start = start;
        public long Count;
    }

    private readonly ConcurrentDictionary<string, Window> _windows = new();

    public Task<RateLimitCount> IncrementAsync(string partitionKey, TimeSpan window, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcTicks;
        var start = now - now % window.Ticks;
        var current = _windows.GetOrAdd(partitionKey, _ => new Window(start));
        // Only an older window is replaced, and only once: concurrent callers all end up counting in
        // the same new window, and a caller that read the clock just before the turn counts in the old one.
        while (current.Start < start)
        {
            var fresh = new Window(start);
            current = _windows.TryUpdate(partitionKey, fresh, current) ? fresh : _windows.GetOrAdd(partitionKey, _ => fresh);
        }
        var count = Interlocked.Increment(ref current.Count);
        return Task.FromResult(new RateLimitCount(count, TimeSpan.FromTicks(start + window.Ticks - now)));
    }

    public Task<int> PurgeAsync(TimeSpan window, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcTicks;
        var purged = 0;
        foreach (var (key, value) in _windows)
        {
            if (value.Start + window.Ticks <= now - window.Ticks && _windows.TryRemove(new KeyValuePair<string, Window>(key, value))) purged++;
        }
        return Task.FromResult(purged);
    }
}
