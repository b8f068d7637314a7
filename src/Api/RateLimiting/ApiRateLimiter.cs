using System.Globalization;
using System.Threading.RateLimiting;
using Integrations.Api.Authentication;
using Integrations.Application.Common.Interfaces;
using Microsoft.Extensions.Options;

namespace Integrations.Api.RateLimiting;

/// <summary>What the limiter decided for a request; the response headers are written from it.</summary>
public sealed record RateLimitDecision(int Limit, long Remaining, TimeSpan ResetAfter)
{
    public string ResetSeconds => ((long)Math.Ceiling(ResetAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// The API's global limiter for the framework's rate-limiting middleware (ADR 0007): a fixed window
/// per partition whose counter lives in <see cref="IRateLimitCounterStore"/>, so several API
/// instances share one quota. Partitions: the tenant (all its keys; limit by the plan read from the
/// database on every request, so a plan change applies at once), the admin key, or the client
/// address for requests without valid credentials; per client address for the authorization
/// server (/oauth, ADR 0009). Only /api/ and /oauth/ are limited: health probes, the
/// OpenAPI document and the docs are not.
/// </summary>
public sealed class ApiRateLimiter(IRateLimitCounterStore store, IOptionsMonitor<RateLimitOptions> options, ILogger<ApiRateLimiter> logger)
    : PartitionedRateLimiter<HttpContext>
{
    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    /// <summary>
    /// The counter lives in a store that is only reachable asynchronously, so the synchronous fast
    /// path never grants a limited request: it declines, and the middleware then calls
    /// <see cref="AcquireAsyncCore"/>, which counts the request once.
    /// </summary>
    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) =>
        Partition(resource) is null ? Lease.Granted : Lease.Deferred;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken)
    {
        if (Partition(resource) is not { } partition) return Lease.Granted;
        var settings = options.CurrentValue;
        RateLimitCount count;
        try
        {
            count = await store.IncrementAsync(partition.Key, settings.Window, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Fail open: an unreachable counter store must not turn every request into a 429.
            logger.LogWarning(ex, "Rate-limit counter store unavailable; request {RequestId} not counted", resource.TraceIdentifier);
            return Lease.Granted;
        }

        var decision = new RateLimitDecision(partition.Limit, Math.Max(0, partition.Limit - count.Count), count.ResetAfter);
        resource.Features.Set(decision);
        resource.Response.OnStarting(() =>
        {
            // OnStarting, not now: the exception handler clears headers set before an error response.
            WriteHeaders(resource.Response, decision);
            return Task.CompletedTask;
        });
        return count.Count <= partition.Limit ? Lease.Granted : new Lease(false, count.ResetAfter);
    }

    public static void WriteHeaders(HttpResponse response, RateLimitDecision decision)
    {
        response.Headers["X-RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Reset"] = decision.ResetSeconds;
    }

    private (string Key, int Limit)? Partition(HttpContext context)
    {
        var settings = options.CurrentValue;
        if (settings.Enabled && (context.Request.Path.StartsWithSegments("/oauth") || context.Request.Path.StartsWithSegments("/console/sign-in")
                                 || context.Request.Path.StartsWithSegments("/admin/sign-in")))
            return ($"oauth:{context.Connection.RemoteIpAddress}", settings.OAuthPerAddress);
        if (!settings.Enabled || !context.Request.Path.StartsWithSegments("/api")) return null;
        var user = context.User;
        if (user.IsAdmin()) return ("admin", settings.Admin);
        if (user.TenantId() is { } tenantId) return ($"tenant:{tenantId}", settings.ForPlan(user.FindFirst(Principals.PlanClaim)?.Value));
        return ($"ip:{context.Connection.RemoteIpAddress}", settings.Anonymous);
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);
        public static readonly Lease Deferred = new(false, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
