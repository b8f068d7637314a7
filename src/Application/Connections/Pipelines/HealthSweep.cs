using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Connections.Pipelines;

/// <summary>
/// The Workers' periodic health checks (pipeline "connections"): claims the checks that are due —
/// each connection at its own phase of the interval (<see cref="HealthSchedule"/>), so they are
/// spread out rather than run together — and runs them with bounded concurrency.
/// </summary>
public sealed class HealthSweep(IServiceScopeFactory scopes, ConnectionsOptions options, IClock clock, ILogger<HealthSweep> logger)
{
    /// <summary>One pass; returns how many checks ran.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = clock.UtcNow;
        var interval = options.HealthCheck.Interval;
        IReadOnlyList<HealthCheckDue> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var schedule = scope.ServiceProvider.GetRequiredService<IConnectionHealthSchedule>();
            // The claim moves each check to its next slot: at most the checks a pass can run at once in a batch.
            due = await scope.ServiceProvider.GetRequiredService<IUnitOfWork>().ExecuteAsync(token =>
                schedule.ClaimDueAsync(now, id => HealthSchedule.NextCheck(id, interval, now), options.HealthCheck.MaxConcurrency * 4, token), ct);
        }
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = options.HealthCheck.MaxConcurrency, CancellationToken = ct },
            async (check, token) =>
            {
                await using var scope = scopes.CreateAsyncScope();
                try
                {
                    await scope.ServiceProvider.GetRequiredService<ConnectionHealthChecker>().CheckAsync(check.TenantId, check.ConnectionId, token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "The health check of connection {ConnectionId} could not run", check.ConnectionId);
                }
            });
        return due.Count;
    }
}
