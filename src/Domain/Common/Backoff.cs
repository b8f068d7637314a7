namespace Integrations.Domain.Common;

/// <summary>
/// Exponential backoff with bounded jitter: the first retry waits the base delay, each next one
/// twice the one before, capped, each ±10 % at random. Bounded rather than Polly's decorrelated
/// jitter, whose first wait can be a small fraction of the base: a documented "first backoff of
/// 1 s" must never retry after 50 ms.
/// </summary>
public static class Backoff
{
    public const double Jitter = 0.10;

    /// <param name="retry">0 for the first retry.</param>
    /// <param name="random">A number in [0, 1) that picks the jitter: injected so the policy stays pure.</param>
    public static TimeSpan Exponential(TimeSpan baseDelay, int retry, TimeSpan max, double random)
    {
        var planned = baseDelay * Math.Pow(2, Math.Clamp(retry, 0, 30));
        if (planned > max) planned = max;
        var jittered = planned * (1 + Jitter * (2 * Math.Clamp(random, 0, 1) - 1));
        return jittered < max ? jittered : max;
    }
}
