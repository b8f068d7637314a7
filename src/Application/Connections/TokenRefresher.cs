using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections.Credentials;
using Integrations.Application.Notifications;
using Integrations.Application.Providers;
using Integrations.Domain.Connections;
using Integrations.Domain.Notifications;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Connections;

/// <summary>What a refresh attempt came to.</summary>
/// <param name="Credential">The credential to use now: the new one, or the one a concurrent refresher stored (null when the attempt failed).</param>
/// <param name="Refreshed">Whether this attempt called the provider and stored new tokens.</param>
/// <param name="Failure">Why it failed: the provider's error (invalid_grant, http_503, timeout …).</param>
public sealed record RefreshOutcome(ConnectionState State, StoredCredential? Credential, bool Refreshed, string? Failure = null, bool Permanent = false);

/// <summary>
/// Refreshes a connection's OAuth tokens, one refresh at a time per connection across every
/// instance (ADR 0016): in one unit of work it takes the connection's lock, reads the state and the
/// credential again (a concurrent refresher may have just stored new ones: then there is nothing
/// to do), calls the token endpoint, and stores the new tokens (compare-and-swap) with
/// <see cref="TokenRefreshed"/> before anyone can use them. A refused refresh token makes the
/// connection needs_reauth and opens an incident; a transient failure only sets a cooldown.
/// </summary>
public sealed class TokenRefresher(
    IUnitOfWork unitOfWork,
    ConnectionAggregate connections,
    ICredentialVault vault,
    IProviderClient providers,
    IProviderCatalog catalog,
    IncidentLog incidents,
    IClock clock,
    ILogger<TokenRefresher> logger)
{
    /// <param name="needed">Decides, under the lock, whether a refresh is still needed (false: the current credential is returned as it is).</param>
    public Task<RefreshOutcome> RefreshAsync(Guid tenantId, Guid connectionId, Func<ConnectionState, StoredCredential, DateTimeOffset, bool> needed,
        CancellationToken ct) =>
        // No retry of the whole unit of work: it holds a call to the provider, and a single-use refresh token must not be sent twice.
        unitOfWork.ExecuteAsync(async token =>
        {
            var state = await connections.LockAsync(tenantId, connectionId, token);
            var stored = await vault.ReadAsync(tenantId, connectionId, token);
            var now = clock.UtcNow;
            if (stored is null || !state.Usable || !AuthKinds.IsOAuth(state.AuthKind) || !needed(state, stored, now))
                return new RefreshOutcome(state, stored, Refreshed: false);
            var provider = catalog.Find(state.Provider)
                ?? throw new InvalidOperationException($"Connection {connectionId} names provider '{state.Provider}', which is not configured.");
            try
            {
                var grant = await RequestAsync(provider, state, stored.Credential, token);
                var renewed = ConnectionCredentials.Refreshed(stored.Credential, grant);
                var replaced = await vault.ReplaceAsync(tenantId, connectionId, stored.Version, renewed, refreshTokenUsed: true, token);
                // Under the lock nobody else writes the credential: losing here means something bypassed it.
                if (!replaced.Replaced) throw new InvalidOperationException($"The credential of connection {connectionId} changed while its lock was held.");
                var rotated = grant.RefreshToken is not null && !grant.RefreshToken.Equals(stored.Credential.RefreshToken);
                var decided = await connections.HandleAsync(tenantId, connectionId,
                    new RecordTokenRefresh(replaced.CurrentVersion!.Value, grant.AccessExpiresAt, rotated, now), token);
                return new RefreshOutcome(decided.State, stored with { Version = replaced.CurrentVersion.Value, Credential = renewed, UpdatedAt = now }, true);
            }
            catch (ProviderCallException failure)
            {
                return await RecordFailureAsync(tenantId, connectionId, state, failure, now, token);
            }
        }, ct);

    private Task<TokenGrant> RequestAsync(ProviderDefinition provider, ConnectionState state, ConnectionCredential credential, CancellationToken ct)
    {
        if (state.AuthKind == AuthKinds.OAuth2ClientCredentials)
            return providers.ClientCredentialsAsync(provider, state.Settings, credential.ClientId!, credential.ClientSecret!, credential.Scopes, ct);
        return credential.RefreshToken is { } refresh
            ? providers.RefreshAsync(provider, refresh, ct)
            : throw new ProviderCallException(ProviderFailureKind.Refused, "no_refresh_token",
                "The provider gave no refresh token, and the access token expires: authorize the connection again.");
    }

    private async Task<RefreshOutcome> RecordFailureAsync(Guid tenantId, Guid connectionId, ConnectionState state, ProviderCallException failure,
        DateTimeOffset now, CancellationToken ct)
    {
        var permanent = failure.Kind == ProviderFailureKind.Refused;
        var retryAt = permanent ? (DateTimeOffset?)null : now + TokenPolicy.Cooldown(state.RefreshFailuresInARow + 1, Random.Shared.NextDouble());
        logger.LogWarning("Refreshing the tokens of connection {ConnectionId} ({Provider}) failed: {Error}{Next}", connectionId, state.Provider, failure.Error,
            permanent ? "; it needs a new authorization" : $"; next attempt not before {retryAt:O}");
        var decided = await connections.HandleAsync(tenantId, connectionId, new RecordTokenRefreshFailure(failure.Error, permanent, retryAt, now), ct);
        if (permanent && decided.Events.Count > 0)
        {
            await incidents.OpenAsync(tenantId, IncidentKinds.ConnectionNeedsReauth, connectionId,
                $"The {state.Provider} connection needs to be authorized again: the provider no longer accepts its refresh token.",
                $"The provider answered {failure.Error}. Reconnect it (POST /api/v1/connections/{connectionId}/reconnect).", ct);
        }
        return new RefreshOutcome(decided.State, null, Refreshed: false, failure.Error, permanent);
    }
}
