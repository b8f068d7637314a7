using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.Common.Control;

/// <summary>How the reset of a window is written (the formats providers use; see src/Domain/Connectors/ProviderLimits.cs).</summary>
public enum ResetFormat
{
    SecondsFromNow,
    EpochSeconds,
    EpochMilliseconds,
    Iso8601,
}

/// <summary>Whose calls a limit counts together.</summary>
public enum RateLimitPartition
{
    /// <summary>Every call to the path prefix.</summary>
    Global,
    /// <summary>Per credential: the Authorization header's value (one bucket per token, key or user).</summary>
    Credential,
}

/// <summary>
/// A fixed-window limit: at most <see cref="Limit"/> calls per <see cref="WindowSeconds"/> to paths under
/// <see cref="PathPrefix"/>. Windows start at multiples of the window since the Unix epoch, as providers
/// count. Every limited answer carries the limit, the calls remaining and the reset; a call over the
/// limit gets 429 Too Many Requests (RFC 6585 §4) with Retry-After (RFC 9110 §10.2.3).
/// </summary>
public sealed record RateLimitPolicy
{
    public int Limit { get; init; } = 60;
    public int WindowSeconds { get; init; } = 60;
    public string PathPrefix { get; init; } = "/api";
    public RateLimitPartition Per { get; init; } = RateLimitPartition.Global;
    public string LimitHeader { get; init; } = "X-RateLimit-Limit";
    public string RemainingHeader { get; init; } = "X-RateLimit-Remaining";
    public string ResetHeader { get; init; } = "X-RateLimit-Reset";
    public ResetFormat ResetFormat { get; init; } = ResetFormat.SecondsFromNow;
    /// <summary>Retry-After as delay-seconds (default) or as an HTTP-date (both allowed by RFC 9110 §10.2.3).</summary>
    public bool RetryAfterAsHttpDate { get; init; }
    public string Body { get; init; } = """{"error":"rate_limited","message":"Too many requests"}""";

    public string? Validate() =>
        Limit < 0 ? "limit must not be negative"
        : WindowSeconds <= 0 ? "window_seconds must be positive"
        : !PathPrefix.StartsWith('/') ? "path_prefix must start with /"
        : string.IsNullOrWhiteSpace(LimitHeader) || string.IsNullOrWhiteSpace(RemainingHeader) || string.IsNullOrWhiteSpace(ResetHeader)
            ? "header names must not be empty"
            : null;
}

/// <summary>The active rate limits (<c>PUT /_fake/rate-limits</c>); a call must pass all that cover its path.</summary>
public sealed class RateLimits : IFakeResettable
{
    private readonly Dictionary<(int Policy, long WindowStart, string Partition), int> _counts = [];
    private List<RateLimitPolicy> _policies = [];
    private IReadOnlyList<RateLimitPolicy> _initial = [];

    /// <summary>Limits given at start-up (arguments), which a reset restores.</summary>
    public void Configure(IReadOnlyList<RateLimitPolicy> policies)
    {
        lock (_counts)
        {
            _initial = policies.ToList();
            _policies = policies.ToList();
            _counts.Clear();
        }
    }

    public IReadOnlyList<RateLimitPolicy> Policies
    {
        get
        {
            lock (_counts)
            {
                return _policies.ToList();
            }
        }
    }

    public void Replace(IReadOnlyList<RateLimitPolicy> policies)
    {
        lock (_counts)
        {
            _policies = policies.ToList();
            _counts.Clear();
        }
    }

    /// <summary>Counts the call if every covering limit has room; returns what each limit says.</summary>
    public IReadOnlyList<RateLimitState> Check(string path, string? credential, DateTimeOffset now)
    {
        lock (_counts)
        {
            var states = new List<RateLimitState>();
            var keys = new List<(int, long, string)>();
            for (var i = 0; i < _policies.Count; i++)
            {
                var policy = _policies[i];
                if (!path.StartsWith(policy.PathPrefix, StringComparison.Ordinal))
                {
                    continue;
                }
                var window = policy.WindowSeconds * 1000L;
                var start = now.ToUnixTimeMilliseconds() / window * window;
                var key = (i, start, policy.Per == RateLimitPartition.Credential ? credential ?? "" : "");
                var used = _counts.GetValueOrDefault(key);
                states.Add(new RateLimitState(policy, used, DateTimeOffset.FromUnixTimeMilliseconds(start + window)));
                keys.Add(key);
            }
            if (states.All(s => s.Used < s.Policy.Limit))
            {
                foreach (var key in keys)
                {
                    _counts[key] = _counts.GetValueOrDefault(key) + 1;
                }
                return states.Select(s => s with { Used = s.Used + 1 }).ToList();
            }
            return states.Select(s => s with { Refused = s.Used >= s.Policy.Limit }).ToList();
        }
    }

    public void Reset()
    {
        lock (_counts)
        {
            _policies = _initial.ToList();
            _counts.Clear();
        }
    }
}

/// <summary>One limit's view of a call: how many calls of the window are used (this one included when allowed).</summary>
public sealed record RateLimitState(RateLimitPolicy Policy, int Used, DateTimeOffset ResetAt, bool Refused = false)
{
    public int Remaining => Math.Max(0, Policy.Limit - Used);
}

/// <summary>Emits the rate-limit headers and refuses calls over a limit with 429 and Retry-After.</summary>
public sealed class RateLimitMiddleware(RequestDelegate next, RateLimits limits, TimeProvider clock)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var now = clock.GetUtcNow();
        var states = limits.Check(context.Request.Path.Value ?? "", context.Request.Headers.Authorization.ToString(), now);
        foreach (var state in states)
        {
            context.Response.Headers[state.Policy.LimitHeader] = state.Policy.Limit.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers[state.Policy.RemainingHeader] = state.Remaining.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers[state.Policy.ResetHeader] = FormatReset(state.ResetAt, state.Policy.ResetFormat, now);
        }
        var refused = states.Where(s => s.Refused).ToList();
        if (refused.Count == 0)
        {
            await next(context);
            return;
        }
        // The longest wait among the exhausted limits; at least one second (delay-seconds is a whole number).
        var wait = refused.Max(s => s.ResetAt - now);
        var seconds = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = refused[0].Policy.RetryAfterAsHttpDate
            ? now.AddSeconds(seconds).ToString("r", CultureInfo.InvariantCulture)
            : seconds.ToString(CultureInfo.InvariantCulture);
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(refused[0].Policy.Body));
    }

    private static string FormatReset(DateTimeOffset resetAt, ResetFormat format, DateTimeOffset now) => format switch
    {
        ResetFormat.EpochSeconds => resetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        ResetFormat.EpochMilliseconds => resetAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        ResetFormat.Iso8601 => resetAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        _ => Math.Max(0, (long)Math.Ceiling((resetAt - now).TotalSeconds)).ToString(CultureInfo.InvariantCulture),
    };
}
