namespace Integrations.Application.Connections;

/// <summary>
/// An authorization handed out as a connect URL and not come back yet. The state itself is never
/// stored, only its SHA-256; the PKCE verifier is stored encrypted (ISecretProtector).
/// </summary>
/// <param name="Actor">Who asked for it (the API key, member or OAuth app): the state is bound to them, and the audit log names them.</param>
/// <param name="RedirectUri">The redirect_uri the authorization request named; the token request must repeat it (RFC 6749 §4.1.3).</param>
/// <param name="ReturnUrl">Where the browser goes once it is over, if the caller gave one.</param>
public sealed record PendingAuthorization(
    string StateHash,
    Guid TenantId,
    Guid ConnectionId,
    string Provider,
    string Actor,
    string? ProtectedCodeVerifier,
    string RedirectUri,
    string? ReturnUrl,
    IReadOnlyList<string> Scopes,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt);

/// <summary>The connect flow's pending authorizations (table connection_authorizations), owned by its use cases.</summary>
public interface IConnectAuthorizations
{
    /// <summary>Stores it, replacing any other pending authorization of the same connection (one at a time, as the decider keeps).</summary>
    Task SaveAsync(PendingAuthorization authorization, CancellationToken ct);

    /// <summary>
    /// Takes the authorization of this state for this provider, at most once: concurrent callbacks
    /// with the same state get it once between them (an atomic delete). Null when there is none.
    /// </summary>
    Task<PendingAuthorization?> TakeAsync(string stateHash, string provider, CancellationToken ct);

    /// <summary>Forgets the connection's pending authorizations (it was deleted).</summary>
    Task ForgetConnectionAsync(Guid tenantId, Guid connectionId, CancellationToken ct);

    /// <summary>Deletes authorizations that expired before <paramref name="before"/>; returns how many.</summary>
    Task<int> PurgeExpiredAsync(DateTimeOffset before, CancellationToken ct);
}
