using Integrations.Application.Common.Interfaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Connectors.Registrations;

/// <summary>
/// The Workers' registration health (pipeline "connections", ADR 0028): tracks every usable connection
/// of a provider that has a registrar, claims the checks that are due and runs them with bounded concurrency.
/// </summary>
public sealed class RegistrationSweep(IServiceScopeFactory scopes, ProviderRegistrars registrars, RegistrationOptions options, IClock clock,
    ILogger<RegistrationSweep> logger)
{
    /// <summary>One pass; returns how many checks ran.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        if (!options.Enabled || registrars.Providers.Count == 0) return 0;
        IReadOnlyList<RegistrationRecord> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<IProviderRegistrations>();
            var now = clock.UtcNow;
            await store.TrackAsync([.. registrars.Providers.Select(p => (p, registrars.Find(p)!.Kind))], now, ct);
            due = await store.ClaimDueAsync(now, options.Lease, options.MaxConcurrency * 4, ct);
        }
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency, CancellationToken = ct },
            async (claimed, token) =>
            {
                await using var scope = scopes.CreateAsyncScope();
                try
                {
                    await scope.ServiceProvider.GetRequiredService<RegistrationChecker>().CheckAsync(claimed, options.PublicBaseUrl, token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    // The lease runs out and the check is due again.
                    logger.LogWarning(ex, "The {Kind} registration check of connection {ConnectionId} could not run", claimed.Kind, claimed.ConnectionId);
                }
            });
        return due.Count;
    }
}
