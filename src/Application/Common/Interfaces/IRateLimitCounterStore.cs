namespace Integrations.Application.Common.Interfaces;

/// <summary>The count of a partition's current window, including the request just counted, and the time until that window ends.</summary>
public sealed record RateLimitCount(long Count, TimeSpan ResetAfter);

/// <summary>
/// Fixed-window request counters shared by every API instance that uses the same store (ADR 0007):
/// PostgreSQL in production, memory for a single instance.
/// </summary>
public interface IRateLimitCounterStore
{
    /// <summary>Counts one request for <paramref name="partitionKey"/> in the current window of length <paramref name="window"/>.</summary>
    Task<RateLimitCount> IncrementAsync(string partitionKey, TimeSpan window, CancellationToken ct);

    /// <summary>Forgets windows that ended before now minus <paramref name="window"/>; returns how many.</summary>
    Task<int> PurgeAsync(TimeSpan window, CancellationToken ct);
}
