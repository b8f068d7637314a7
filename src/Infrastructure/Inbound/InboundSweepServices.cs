using Integrations.Application.Inbound.Pipelines;
using Integrations.Infrastructure.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Integrations.Infrastructure.Inbound;

/// <summary>The silence alerts (<see cref="InboundSilenceSweep"/>) every Inbound:SilenceCheckInterval.</summary>
public sealed class InboundSilenceSweepService(IServiceScopeFactory scopes, InboundOptions options, ILogger<InboundSilenceSweepService> logger)
    : PeriodicSweepService(scopes, logger)
{
    protected override TimeSpan Interval => options.SilenceCheckInterval;

    protected override Task<int> RunOnceAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<InboundSilenceSweep>().RunOnceAsync(ct);
}

/// <summary>The retention purge (<see cref="InboundRetention"/>) every Inbound:RetentionSweepInterval.</summary>
public sealed class InboundRetentionService(IServiceScopeFactory scopes, InboundOptions options, ILogger<InboundRetentionService> logger)
    : PeriodicSweepService(scopes, logger)
{
    protected override TimeSpan Interval => options.RetentionSweepInterval;

    protected override Task<int> RunOnceAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<InboundRetention>().PurgeAsync(ct);
}
