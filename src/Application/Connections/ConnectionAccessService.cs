using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections.Credentials;
using Integrations.Application.Providers;
using Integrations.Domain.Connections;

namespace Integrations.Application.Connections;

/// <summary>
/// <see cref="IConnectionAccess"/>: reads the connection and its credential without a lock, and
/// only when the access token is due (within the provider's expiry buffer) or was refused goes
/// through <see cref="TokenRefresher"/>, which refreshes under the connection's lock unless a
/// concurrent caller already did.
/// </summary>
public sealed class ConnectionAccessService(ConnectionAggregate connections, ICredentialVault vault, IProviderCatalog catalog, TokenRefresher refresher, IClock clock)
    : IConnectionAccess
{
    public async Task<ConnectionAccess> GetAsync(Guid tenantId, Guid connectionId, CancellationToken ct)
    {
        var state = await connections.ReadAsync(tenantId, connectionId, ct);
        var provider = ProviderOf(state);
        EnsureUsable(state);
        var stored = await vault.ReadAsync(tenantId, connectionId, ct) ?? throw Unusable(state, state.Status);
        var now = clock.UtcNow;
        if (AuthKinds.IsOAuth(state.AuthKind) && TokenPolicy.RefreshDue(state, Buffer(provider), now))
        {
            var outcome = await refresher.RefreshAsync(tenantId, connectionId, (s, _, at) => TokenPolicy.RefreshDue(s, Buffer(provider), at), ct);
            EnsureUsable(outcome.State);
            stored = outcome.Credential ?? stored;
        }
        // Still usable after a transient failure while the token has not expired; once it has, wait for the cooldown.
        if (stored.Credential.AccessExpiresAt is { } expires && expires <= now && AuthKinds.IsOAuth(state.AuthKind))
            throw Unusable(state, "cooling_down", $"The access token of connection {connectionId} expired and refreshing it failed; the next attempt is not before {state.RefreshRetryAt:O}.");
        return Access(state, provider, stored);
    }

    public async Task<ConnectionAccess> RenewAsync(ConnectionAccess rejected, CancellationToken ct)
    {
        var state = await connections.ReadAsync(rejected.TenantId, rejected.ConnectionId, ct);
        if (!AuthKinds.IsOAuth(state.AuthKind))
            throw Unusable(state, state.Status, $"The provider refused the {state.AuthKind} credentials of connection {rejected.ConnectionId}; they cannot be renewed by the platform.");
        // Refresh unless someone stored newer credentials since the rejected ones; a cooldown holds off a provider that is failing,
        // and a provider that refuses early refreshes (Exact Online) is not asked before its window.
        var outcome = await refresher.RefreshAsync(rejected.TenantId, rejected.ConnectionId,
            (s, stored, at) => stored.Version <= rejected.CredentialVersion && !TokenPolicy.CoolingDown(s, at)
                               && TokenPolicy.RefreshAllowed(s, rejected.Provider.OAuth?.RefreshWindow, at), ct);
        EnsureUsable(outcome.State);
        if (outcome.Credential is not { } credential || credential.Version <= rejected.CredentialVersion)
            throw Unusable(outcome.State, "cooling_down", $"The credentials of connection {rejected.ConnectionId} were refused and could not be renewed now.");
        return Access(outcome.State, rejected.Provider, credential);
    }

    private ProviderDefinition ProviderOf(ConnectionState state) =>
        catalog.Find(state.Provider) ?? throw Unusable(state, "provider_unavailable", $"The provider '{state.Provider}' is not configured on this platform.");

    private static TimeSpan Buffer(ProviderDefinition provider) => provider.OAuth?.ExpiryBuffer ?? TokenPolicy.DefaultExpiryBuffer;

    private static ConnectionAccess Access(ConnectionState state, ProviderDefinition provider, StoredCredential stored) => new(
        state.ConnectionId, state.TenantId, provider, state.ExternalAccountId!,
        (provider.KeyIsEndpoint is not null && stored.Credential.ApiKey is { } key
            ? EndpointKey.BaseOf(key.Reveal())
            : ConnectionEndpoints.BaseUrl(provider, state.Settings, state.ExternalAccountId))
            ?? throw Unusable(state, "provider_unavailable", $"The provider '{provider.Id}' has no API base URL for this connection."),
        stored.Version, ConnectionCredentials.ForCall(stored.Credential, provider, state.Settings));

    private static void EnsureUsable(ConnectionState state)
    {
        if (!state.Usable) throw Unusable(state, state.Status);
    }

    private static ConnectionUnusableException Unusable(ConnectionState state, string status, string? message = null) =>
        new(state.ConnectionId, status, message ?? $"Connection {state.ConnectionId} cannot be used now: it is {status}.");
}
