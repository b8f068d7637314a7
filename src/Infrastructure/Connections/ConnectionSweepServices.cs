using Integrations.Application.Connections;
using Integrations.Application.Connections.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Integrations.Infrastructure.Connections;

/// <summary>Runs one pass of a sweep, then waits its interval; a failed pass is logged and the next one runs on time.</summary>
public abstract class PeriodicSweepService(IServiceScopeFactory scopes, ILogger logger) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    protected abstract Task<int> RunOnceAsync(IServiceProvider services, CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await RunOnceAsync(scope.ServiceProvider, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "{Sweep} failed; it runs again in {Interval}", GetType().Name, Interval);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>The token sweep (<see cref="TokenSweep"/>) every Connections:TokenSweep:Interval.</summary>
public sealed class TokenSweepService(IServiceScopeFactory scopes, ConnectionsOptions options, ILogger<TokenSweepService> logger)
    : PeriodicSweepService(scopes, logger)
{
    protected override TimeSpan Interval => options.TokenSweep.Interval;

    protected override Task<int> RunOnceAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<TokenSweep>().RunOnceAsync(ct);
}

/// <summary>The health checks that are due (<see cref="HealthSweep"/>), looked for every Connections:HealthCheck:PollInterval.</summary>
public sealed class HealthSweepService(IServiceScopeFactory scopes, ConnectionsOptions options, ILogger<HealthSweepService> logger)
    : PeriodicSweepService(scopes, logger)
{
    protected override TimeSpan Interval => options.HealthCheck.PollInterval;

    protected override Task<int> RunOnceAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<HealthSweep>().RunOnceAsync(ct);
}
