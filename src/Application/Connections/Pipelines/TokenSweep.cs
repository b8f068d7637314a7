using Integrations.Application.Common.Interfaces;
using Integrations.Application.Providers;
using Integrations.Domain.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Connections.Pipelines;

/// <summary>
/// The Workers' token refresh (pipeline "connections"): refreshes the access tokens that expire
/// within their provider's buffer before anyone asks for them, and exercises every refresh token
/// not used for <see cref="TokenSweepSettings.MaxIdle"/> (24 h), so a dead one is noticed while
/// nobody depends on it. Each refresh takes the connection's lock and decides again under it,
/// so sweeps of several Workers and callers in the API never refresh one connection twice.
/// </summary>
public sealed class TokenSweep(IServiceScopeFactory scopes, IConnectionReadModel connections, IConnectAuthorizations authorizations,
    IProviderCatalog catalog, ConnectionsOptions options, IClock clock, ILogger<TokenSweep> logger)
{
    /// <summary>One pass; returns how many connections got new tokens.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = clock.UtcNow;
        await authorizations.PurgeExpiredAsync(now - TimeSpan.FromHours(1), ct);
        var widest = catalog.All.Select(p => p.OAuth?.ExpiryBuffer ?? TokenPolicy.DefaultExpiryBuffer).DefaultIfEmpty(TokenPolicy.DefaultExpiryBuffer).Max();
        var due = await connections.FindRefreshDueAsync(now + widest, now - options.TokenSweep.MaxIdle, now, options.TokenSweep.BatchSize, ct);
        var refreshed = 0;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = options.TokenSweep.MaxConcurrency, CancellationToken = ct },
            async (candidate, token) =>
            {
                if (await RefreshAsync(candidate, token)) Interlocked.Increment(ref refreshed);
            });
        return refreshed;
    }

    private async Task<bool> RefreshAsync(RefreshCandidate candidate, CancellationToken ct)
    {
        var buffer = catalog.Find(candidate.Provider)?.OAuth?.ExpiryBuffer ?? TokenPolicy.DefaultExpiryBuffer;
        var window = catalog.Find(candidate.Provider)?.OAuth?.RefreshWindow;
        var maxIdle = options.TokenSweep.MaxIdle;
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<TokenRefresher>().RefreshAsync(candidate.TenantId, candidate.ConnectionId,
                (state, stored, at) => TokenPolicy.RefreshDue(state, buffer, at)
                                       || !TokenPolicy.CoolingDown(state, at) && stored.Credential.RefreshToken is not null && stored.RefreshExercisedAt < at - maxIdle
                                          && TokenPolicy.RefreshAllowed(state, window, at)
                                       || !TokenPolicy.CoolingDown(state, at) && state.AuthKind == AuthKinds.OAuth2ClientCredentials && stored.UpdatedAt < at - maxIdle,
                ct);
            return outcome.Refreshed;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // One connection's trouble (a deleted one, an unreadable credential, the database for a moment) never stops the others.
            logger.LogWarning(ex, "The token sweep could not refresh connection {ConnectionId}", candidate.ConnectionId);
            return false;
        }
    }
}
