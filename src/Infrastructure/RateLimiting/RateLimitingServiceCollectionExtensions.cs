using Integrations.Application.Common.Interfaces;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Integrations.Infrastructure.RateLimiting;

public static class RateLimitingServiceCollectionExtensions
{
    /// <summary>
    /// The counter store named by <c>RateLimits:Store</c>: <c>Postgres</c> (default: the quota holds
    /// across API instances) or <c>Memory</c> (one instance only), plus the purge of ended windows.
    /// </summary>
    public static IServiceCollection AddRateLimitCounters(this IServiceCollection services, IConfiguration configuration)
    {
        var store = configuration["RateLimits:Store"] ?? "Postgres";
        if (store.Equals("Memory", StringComparison.OrdinalIgnoreCase))
        {
            services.TryAddSingleton(TimeProvider.System);
            services.AddSingleton<IRateLimitCounterStore, MemoryRateLimitCounterStore>();
        }
        else if (store.Equals("Postgres", StringComparison.OrdinalIgnoreCase))
        {
            services.AddSingleton<IRateLimitCounterStore, PostgresRateLimitCounterStore>();
        }
        else
        {
            throw new InvalidOperationException($"RateLimits:Store must be Postgres or Memory, not '{store}'.");
        }
        services.AddHostedService<RateLimitCounterPurge>();
        return services;
    }
}

/// <summary>Deletes counters of ended windows once a minute; on several instances each does it, which is harmless.</summary>
internal sealed class RateLimitCounterPurge(IRateLimitCounterStore store, IConfiguration configuration, ILogger<RateLimitCounterPurge> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await store.PurgeAsync(configuration.GetValue("RateLimits:Window", TimeSpan.FromMinutes(1)), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Could not purge ended rate-limit windows; will retry");
            }
        }
    }
}
