using System.Security.Claims;
using Integrations.Api.Authentication;
using Integrations.Application.OAuth;
using Microsoft.Extensions.Options;

namespace Integrations.Api.OAuth;

/// <summary>
/// Authenticates an OAuth access token presented to the REST API: a valid JWT of ours, and its grant
/// not revoked (one primary-key lookup per request, so revocation and disconnection act at once).
/// The principal carries the same tenant_id and plan claims as an API key (tenant scoping and the
/// per-tenant rate limit apply unchanged) plus client_id and scope for scope enforcement.
/// </summary>
public sealed class OAuthBearerValidator(AccessTokens tokens, IOAuthStore store, IOptionsMonitor<OAuthOptions> options)
{
    public async Task<Claim[]?> AuthenticateAsync(HttpRequest request, string token, CancellationToken ct)
    {
        var claims = await tokens.ValidateAsync(token, OAuthOptions.IssuerFor(options.CurrentValue, request), ct);
        if (claims is null) return null;
        var grant = await store.GrantStatusAsync(claims.GrantId, ct);
        if (grant is null || grant.Revoked) return null;
        return
        [
            new Claim(Principals.TenantIdClaim, claims.TenantId.ToString()),
            new Claim(Principals.PlanClaim, grant.Plan),
            new Claim(OAuthClaims.ClientId, claims.ClientId),
            new Claim(OAuthClaims.Scope, string.Join(' ', claims.Scopes)),
            new Claim(OAuthClaims.GrantId, claims.GrantId.ToString()),
            new Claim(ClaimTypes.NameIdentifier, claims.MemberId?.ToString() ?? claims.ClientId),
        ];
    }
}
