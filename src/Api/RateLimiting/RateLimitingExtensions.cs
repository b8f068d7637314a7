using System.Globalization;
using Integrations.Api.Errors;
using Integrations.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Integrations.Api.RateLimiting;

public static class RateLimitingExtensions
{
    /// <summary>The framework's rate-limiting middleware with <see cref="ApiRateLimiter"/> as its global limiter; 429 in the error format.</summary>
    public static IServiceCollection AddApiRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RateLimitOptions>(configuration.GetSection(RateLimitOptions.Section));
        services.AddRateLimitCounters(configuration);
        services.AddSingleton<ApiRateLimiter>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<ApiRateLimiter>((options, limiter) =>
        {
            options.GlobalLimiter = limiter;
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) => new ValueTask(WriteRejectionAsync(context.HttpContext));
        });
        return services;
    }

    private static Task WriteRejectionAsync(HttpContext context)
    {
        var decision = context.Features.Get<RateLimitDecision>()!;
        ApiRateLimiter.WriteHeaders(context.Response, decision);
        context.Response.Headers.RetryAfter = decision.ResetSeconds;
        return ApiErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, "rate_limited",
            $"Too many requests: this credential's quota is {decision.Limit.ToString(CultureInfo.InvariantCulture)} requests per window. Retry after {decision.ResetSeconds} seconds.");
    }
}
