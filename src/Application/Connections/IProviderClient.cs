using Integrations.Application.Connections.Credentials;
using Integrations.Domain.Connections;

namespace Integrations.Application.Connections;

/// <summary>The tokens a provider's token endpoint answered (RFC 6749 §5.1). Secret: never printed.</summary>
/// <param name="RefreshToken">Null when the answer carried none (the old one, if any, stays valid: RFC 6749 §6).</param>
/// <param name="Scopes">The scopes granted, if the answer said; otherwise those asked for.</param>
public sealed record TokenGrant(SecretValue AccessToken, SecretValue? RefreshToken, DateTimeOffset? AccessExpiresAt, IReadOnlyList<string>? Scopes)
{
    public override string ToString() => $"TokenGrant {{ RefreshToken = {(RefreshToken is null ? "none" : "present")}, AccessExpiresAt = {AccessExpiresAt:O} }}";
}

/// <summary>How a call to a provider ended when it did not succeed.</summary>
public enum ProviderFailureKind
{
    /// <summary>The provider refused the grant or the credentials for good (invalid_grant, invalid_client, 401/403 to the credentials).</summary>
    Refused,
    /// <summary>It may work later: 5xx, 429, a timeout, a dropped connection, an answer we could not read.</summary>
    Transient,
}

/// <summary>
/// A provider call that did not succeed: the provider's error code (invalid_grant, http_503, timeout …)
/// and a description for people. Never holds a credential, nor the provider's raw answer.
/// </summary>
public sealed class ProviderCallException(ProviderFailureKind kind, string error, string description, bool unauthorized = false) : Exception(description)
{
    public ProviderFailureKind Kind { get; } = kind;

    /// <summary>A short machine code: the OAuth error (invalid_grant), http_&lt;status&gt;, timeout, connection, invalid_response, unsafe_url.</summary>
    public string Error { get; } = error;

    /// <summary>An error the provider put in a 2xx answer (Slack's ok:false): passing codes may work later, auth codes may be mended by a refresh.</summary>
    public static ProviderCallException FromBody(Domain.Connections.BodyError error, string description) =>
        new(error.Kind == Domain.Connections.BodyErrorKind.Retryable ? ProviderFailureKind.Transient : ProviderFailureKind.Refused, error.Code, description,
            unauthorized: error.Kind == Domain.Connections.BodyErrorKind.Auth);

    /// <summary>Whether the provider said the credentials no longer work (401 on an API call, or an auth error in the body): a refresh may help.</summary>
    public bool Unauthorized => unauthorized || Error == "http_401";
}

/// <summary>What a health check found: the account the credentials reach.</summary>
public sealed record HealthCheckAnswer(ExternalAccount Account);

/// <summary>
/// The calls the connection use cases make to a provider: the OAuth token endpoint (RFC 6749), the
/// revocation endpoint (RFC 7009) and the health check. Infrastructure sends them under the outbound
/// rules (timeouts; the SSRF guard for endpoints a tenant named).
/// </summary>
public interface IProviderClient
{
    /// <summary>Exchanges an authorization code (RFC 6749 §4.1.3) with our client credentials and the PKCE verifier (RFC 7636 §4.5).</summary>
    /// <exception cref="ProviderCallException">The provider refused the code or verifier, or failed.</exception>
    Task<TokenGrant> ExchangeCodeAsync(ProviderDefinition provider, string code, string redirectUri, string? codeVerifier, CancellationToken ct);

    /// <summary>RFC 6749 §6 with our client (authorization code connections).</summary>
    /// <exception cref="ProviderCallException">invalid_grant (Refused) or a transient failure.</exception>
    Task<TokenGrant> RefreshAsync(ProviderDefinition provider, SecretValue refreshToken, CancellationToken ct);

    /// <summary>RFC 6749 §4.4 with the tenant's own client id and secret, at the connection's or the provider's token endpoint.</summary>
    Task<TokenGrant> ClientCredentialsAsync(ProviderDefinition provider, ConnectionSettings? settings, string clientId, SecretValue clientSecret,
        IReadOnlyList<string> scopes, CancellationToken ct);

    /// <summary>RFC 7009: revokes a token at the provider's revocation endpoint. False when the provider has none or refused.</summary>
    Task<bool> RevokeAsync(ProviderDefinition provider, SecretValue token, string tokenTypeHint, CancellationToken ct);

    /// <summary>The health check with these credentials, reading the account from the answer.</summary>
    /// <exception cref="ProviderCallException">The call failed (Unauthorized for a 401), or the answer names no account.</exception>
    Task<HealthCheckAnswer> CheckAsync(ProviderDefinition provider, ConnectionSettings? settings, CallCredentials credentials, CancellationToken ct);
}
