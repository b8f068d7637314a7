using Integrations.Domain.Common;

namespace Integrations.Domain.Marketplace;

/// <summary>
/// A grant is created once, for a member's consent or for a client_credentials token, with the
/// scopes it allows (never widened afterwards), and revoked at most once: revoking a revoked grant
/// changes nothing, so every path that revokes (disconnection, member removal, reuse detection,
/// RFC 7009) may meet a grant another path revoked first.
/// </summary>
public static class GrantDecider
{
    public static readonly Decider<GrantCommand, GrantState, IGrantEvent> Decider = new(Decide, Evolve, GrantState.None);

    public static string StreamId(Guid grantId) => $"grant-{grantId:N}";

    public static IReadOnlyList<IGrantEvent> Decide(GrantCommand command, GrantState state) => command switch
    {
        GrantConsent or GrantClientCredentials when state.Exists => throw new DomainException("grant_exists", "The grant already exists."),
        GrantConsent c => [new GrantCreated(c.GrantId, c.TenantId, c.AppId, c.MemberId, GrantTypes.AuthorizationCode, Scopes(c.Scopes), c.Now)],
        GrantClientCredentials c => [new GrantCreated(c.GrantId, c.TenantId, c.AppId, null, GrantTypes.ClientCredentials, Scopes(c.Scopes), c.Now)],
        _ when !state.Exists => throw new DomainException("grant_not_found", "The grant does not exist."),
        RevokeGrant c when !GrantRevocationReasons.All.Contains(c.Reason) =>
            throw new DomainException("invalid_revoke_reason", $"Unknown revocation reason '{c.Reason}'."),
        RevokeGrant when state.Revoked => [],
        RevokeGrant c => [new GrantRevoked(state.GrantId, state.TenantId, state.AppId, c.Reason, c.Now)],
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown grant command."),
    };

    public static GrantState Evolve(GrantState state, IGrantEvent @event) => @event switch
    {
        GrantCreated e => new GrantState(e.GrantId, e.TenantId, e.AppId, e.MemberId, e.GrantType, e.Scopes, e.CreatedAt, null, null),
        GrantRevoked e => state with { RevokedAt = e.RevokedAt, RevokeReason = e.Reason },
        GrantImported e => new GrantState(e.GrantId, e.TenantId, e.AppId, e.MemberId, e.GrantType, e.Scopes, e.CreatedAt, e.RevokedAt, e.RevokeReason),
        _ => state,
    };

    /// <summary>A grant allows something: at least one scope, each once, in the order asked.</summary>
    private static IReadOnlyList<string> Scopes(IReadOnlyList<string> scopes) =>
        scopes.Count > 0 ? scopes.Distinct(StringComparer.Ordinal).ToList() : throw new DomainException("invalid_scope", "A grant allows at least one scope.");
}
