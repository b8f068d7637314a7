using System.Text;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.Common.Control;

/// <summary>
/// What the next calls matching <see cref="PathPrefix"/> (and <see cref="Method"/>, if given) get instead
/// of the real answer: <see cref="Count"/> of them (null: every call until the faults are cleared).
/// A rule with only <see cref="DelayMs"/> delays the real answer; with <see cref="Status"/> it answers
/// that status, body and headers; <see cref="Hang"/> never answers (until the client gives up or the
/// fake is reset); <see cref="Abort"/> drops the connection without an answer.
/// </summary>
public sealed record FaultRule
{
    public string PathPrefix { get; init; } = "/";
    public string? Method { get; init; }
    public int? Count { get; init; } = 1;
    public int? Status { get; init; }
    public string? Body { get; init; }
    public string ContentType { get; init; } = "application/json";
    public Dictionary<string, string>? Headers { get; init; }
    public int DelayMs { get; init; }
    public bool Hang { get; init; }
    public bool Abort { get; init; }

    public string? Validate() =>
        !PathPrefix.StartsWith('/') ? "path_prefix must start with /"
        : Count is <= 0 ? "count must be positive (or null: until cleared)"
        : Status is < 100 or > 599 ? "status must be an HTTP status code"
        : DelayMs < 0 ? "delay_ms must not be negative"
        : Status is null && DelayMs == 0 && !Hang && !Abort ? "a fault needs a status, delay_ms, hang or abort"
        : null;
}

/// <summary>The active fault rules, in the order they were added; the first that matches a call applies.</summary>
public sealed class FaultRules : IFakeResettable
{
    private readonly CountedQueue<FaultRule> _rules = new();
    private readonly object _lock = new();
    private CancellationTokenSource _release = new();

    /// <summary>Cancelled when the faults are cleared or the fake is reset: hanging calls then end.</summary>
    public CancellationToken Released
    {
        get
        {
            lock (_lock)
            {
                return _release.Token;
            }
        }
    }

    public void Add(FaultRule rule) => _rules.Add(rule, rule.Count);

    public IReadOnlyList<object> Describe() =>
        _rules.Snapshot().Select(r => (object)new { rule = r.Item, remaining = r.Remaining }).ToList();

    /// <summary>The rule this call triggers, if any; a counted rule is used up by it.</summary>
    public FaultRule? Take(string method, string path) => _rules.Take(rule =>
        path.StartsWith(rule.PathPrefix, StringComparison.Ordinal)
        && (rule.Method is null || string.Equals(rule.Method, method, StringComparison.OrdinalIgnoreCase)));

    public void Reset()
    {
        _rules.Clear();
        lock (_lock)
        {
            _release.Cancel();
            _release.Dispose();
            _release = new CancellationTokenSource();
        }
    }
}

/// <summary>Applies the first matching fault rule to a call (see <see cref="FaultRule"/>).</summary>
public sealed class FaultInjectionMiddleware(RequestDelegate next, FaultRules faults)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var rule = faults.Take(context.Request.Method, context.Request.Path.Value ?? "");
        if (rule is null)
        {
            await next(context);
            return;
        }
        await FaultResponses.ApplyAsync(context, rule, faults.Released, next);
    }
}

/// <summary>How a fault answers; shared with faults the OAuth core injects on its token endpoint.</summary>
public static class FaultResponses
{
    public static async Task ApplyAsync(HttpContext context, FaultRule rule, CancellationToken released, RequestDelegate? next)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, released);
        try
        {
            if (rule.DelayMs > 0)
            {
                await Task.Delay(rule.DelayMs, linked.Token);
            }
            if (rule.Hang)
            {
                await Task.Delay(Timeout.Infinite, linked.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client gave up, or the test released the hang: drop the call without an answer.
            context.Abort();
            return;
        }
        if (rule.Abort)
        {
            context.Abort();
            return;
        }
        if (rule.Status is { } status)
        {
            context.Response.StatusCode = status;
            foreach (var (name, value) in rule.Headers ?? [])
            {
                context.Response.Headers[name] = value;
            }
            if (rule.Body is not null)
            {
                context.Response.ContentType = rule.ContentType;
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(rule.Body));
            }
            return;
        }
        if (next is not null)
        {
            await next(context);
        }
    }
}
