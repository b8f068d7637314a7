using System.Globalization;

namespace Integrations.Domain.Connectors;

/// <summary>How a provider writes the reset time of its rate limit.</summary>
public enum ResetFormat
{
    /// <summary>Seconds until the window resets (GitHub's x-ratelimit-reset is epoch: see below).</summary>
    SecondsFromNow,
    /// <summary>
    /// Milliseconds from now: HubSpot's X-HubSpot-RateLimit-Interval-Milliseconds, the length of its rolling
    /// window, read as the longest wait until a call is free again once none remain.
    /// </summary>
    MillisecondsFromNow,
    /// <summary>Unix time in seconds.</summary>
    EpochSeconds,
    /// <summary>Unix time in milliseconds (Exact Online's X-RateLimit-Minutely-Reset).</summary>
    EpochMilliseconds,
    /// <summary>An ISO 8601 instant (Jira's X-RateLimit-Reset).</summary>
    Iso8601,
}

/// <summary>The headers in which a provider reports its limits; null where it has none.</summary>
public sealed record RateLimitHeaders(string? Remaining = null, string? Reset = null, ResetFormat ResetFormat = ResetFormat.SecondsFromNow)
{
    public static readonly RateLimitHeaders None = new();
}

/// <summary>What one answer said about the provider's limits.</summary>
/// <param name="RetryAfter">From Retry-After (seconds or an HTTP date), if the answer had one.</param>
/// <param name="Remaining">Calls left in the provider's current window.</param>
/// <param name="ResetAt">When the provider's window resets.</param>
public sealed record RateLimitSignal(TimeSpan? RetryAfter, int? Remaining, DateTimeOffset? ResetAt)
{
    /// <summary>When the next call may go by what the provider said: after Retry-After, or at the reset once nothing remains.</summary>
    public DateTimeOffset? NotBefore(DateTimeOffset now)
    {
        DateTimeOffset? byRetry = RetryAfter is { } wait ? now + wait : null;
        DateTimeOffset? byReset = Remaining is <= 0 && ResetAt is { } reset && reset > now ? reset : null;
        return (byRetry, byReset) switch
        {
            ({ } a, { } b) => a > b ? a : b,
            ({ } a, null) => a,
            (null, { } b) => b,
            _ => null,
        };
    }
}

public static class RateLimitSignals
{
    /// <summary>The longest wait a provider may ask for; beyond it, the call fails as the provider's outage.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    /// <param name="header">A header's value by name (case-insensitive), or null.</param>
    public static RateLimitSignal Read(Func<string, string?> header, RateLimitHeaders spec, DateTimeOffset now)
    {
        var retryAfter = RetryAfter(header("Retry-After"), now);
        int? remaining = spec.Remaining is { } r && int.TryParse(header(r), NumberStyles.Integer, CultureInfo.InvariantCulture, out var left) ? left : null;
        var reset = spec.Reset is { } name ? Reset(header(name), spec.ResetFormat, now) : null;
        return new RateLimitSignal(retryAfter, remaining, reset);
    }

    /// <summary>Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3); a past date, garbage or a negative value is no wait.</summary>
    public static TimeSpan? RetryAfter(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            return seconds < 0 || double.IsNaN(seconds) ? null : Cap(TimeSpan.FromSeconds(Math.Min(seconds, MaxWait.TotalSeconds)));
        if (DateTimeOffset.TryParseExact(value.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            return date > now ? Cap(date - now) : TimeSpan.Zero;
        return null;
    }

    private static DateTimeOffset? Reset(string? value, ResetFormat format, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = value.Trim();
        switch (format)
        {
            case ResetFormat.Iso8601:
                return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
            default:
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number < 0) return null;
                return format switch
                {
                    ResetFormat.EpochSeconds => DateTimeOffset.FromUnixTimeMilliseconds((long)(number * 1000)),
                    ResetFormat.EpochMilliseconds => DateTimeOffset.FromUnixTimeMilliseconds((long)number),
                    ResetFormat.MillisecondsFromNow => now + Cap(TimeSpan.FromMilliseconds(Math.Min(number, MaxWait.TotalMilliseconds))),
                    _ => now + Cap(TimeSpan.FromSeconds(Math.Min(number, MaxWait.TotalSeconds))),
                };
        }
    }

    private static TimeSpan Cap(TimeSpan wait) => wait > MaxWait ? MaxWait : wait;
}

/// <summary>A provider's quota: at most <see cref="Limit"/> calls per <see cref="Period"/> (per connection, or per provider).</summary>
public sealed record Quota(int Limit, TimeSpan Period)
{
    /// <summary>
    /// The fixed window an instant falls in: windows start at multiples of the period since the Unix
    /// epoch, so a minute quota resets on the minute and a day quota at midnight UTC, as providers count.
    /// </summary>
    public (DateTimeOffset Start, DateTimeOffset End) WindowOf(DateTimeOffset at)
    {
        var ticks = at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var start = DateTimeOffset.UnixEpoch.AddTicks(ticks - ticks % Period.Ticks);
        return (start, start + Period);
    }
}
