using System.Text;
using Integrations.Application.Connections.Credentials;
using Integrations.Domain.Connections;

namespace Integrations.Application.Connections;

/// <summary>How a stored credential is presented to the provider on a call.</summary>
public static class ConnectionCredentials
{
    /// <summary>
    /// oauth2: <c>Authorization: Bearer</c> (RFC 6750 §2.1); api_key: the provider's or the
    /// connection's header, else <c>Authorization: Bearer</c>; basic: RFC 7617 (user-id and password in UTF-8).
    /// </summary>
    public static CallCredentials ForCall(ConnectionCredential credential, ProviderDefinition provider, ConnectionSettings? settings) => credential.Kind switch
    {
        CredentialKind.OAuth2 => new CallCredentials(new Dictionary<string, string> { ["Authorization"] = "Bearer " + credential.AccessToken!.Reveal() }),
        // The key is the endpoint (a Teams Workflows URL): its query, with the signature, goes with every call.
        CredentialKind.ApiKey when provider.KeyIsEndpoint is not null =>
            new CallCredentials(new Dictionary<string, string>(), EndpointKey.QueryOf(credential.ApiKey!.Reveal())),
        CredentialKind.ApiKey when (settings?.ApiKeyHeader ?? provider.ApiKeyHeader) is { } header =>
            new CallCredentials(new Dictionary<string, string> { [header] = credential.ApiKey!.Reveal() }),
        CredentialKind.ApiKey => new CallCredentials(new Dictionary<string, string> { ["Authorization"] = "Bearer " + credential.ApiKey!.Reveal() }),
        CredentialKind.Basic => new CallCredentials(new Dictionary<string, string>
        {
            ["Authorization"] = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password!.Reveal()}")),
        }),
        _ => throw new ArgumentOutOfRangeException(nameof(credential), credential.Kind, "Unknown credential kind."),
    };

    /// <summary>The credential after a successful token request: a refresh token the answer left out stays (RFC 6749 §6).</summary>
    public static ConnectionCredential Refreshed(ConnectionCredential current, TokenGrant grant) => current with
    {
        AccessToken = grant.AccessToken,
        RefreshToken = grant.RefreshToken ?? current.RefreshToken,
        AccessExpiresAt = grant.AccessExpiresAt,
        Scopes = grant.Scopes ?? current.Scopes,
    };

    /// <summary>
    /// Revokes the grant behind an OAuth credential at the provider (RFC 7009): the refresh token
    /// where there is one (which ends the whole grant, §2.1), else the access token; a provider that
    /// takes the access token as bearer gets that. False when the provider has no revocation
    /// endpoint or did not confirm.
    /// </summary>
    /// <exception cref="ProviderCallException">The provider could not be reached.</exception>
    public static Task<bool> RevokeAsync(IProviderClient providers, ProviderDefinition provider, ConnectionCredential credential, CancellationToken ct)
    {
        if (credential.Kind != CredentialKind.OAuth2 || provider.OAuth?.RevokeUrl is null) return Task.FromResult(false);
        if (provider.OAuth.Revocation == RevocationStyle.BearerToken)
            return credential.AccessToken is { } access ? providers.RevokeAsync(provider, access, "access_token", ct) : Task.FromResult(false);
        return credential.RefreshToken is { } refresh
            ? providers.RevokeAsync(provider, refresh, "refresh_token", ct)
            : providers.RevokeAsync(provider, credential.AccessToken!, "access_token", ct);
    }
}
