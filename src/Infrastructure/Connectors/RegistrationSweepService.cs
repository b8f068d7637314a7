using Integrations.Application.Connectors.Registrations;
using Integrations.Infrastructure.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Integrations.Infrastructure.Connectors;

/// <summary>The registration checks that are due (<see cref="RegistrationSweep"/>), looked for every Connectors:Registrations:PollInterval.</summary>
public sealed class RegistrationSweepService(IServiceScopeFactory scopes, RegistrationOptions options, ILogger<RegistrationSweepService> logger)
    : PeriodicSweepService(scopes, logger)
{
    protected override TimeSpan Interval => options.PollInterval;

    protected override Task<int> RunOnceAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<RegistrationSweep>().RunOnceAsync(ct);
}
