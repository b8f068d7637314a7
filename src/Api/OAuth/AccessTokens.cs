using System.Security.Claims;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.OAuth;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Integrations.Api.OAuth;

/// <summary>What a valid access token says (RFC 9068 profile: typ at+jwt).</summary>
/// <summary><see cref="MemberId"/> is null for a client_credentials token (its <c>sub</c> is the client_id, RFC 9068 §2.2).</summary>
public sealed record AccessTokenClaims(Guid GrantId, Guid TenantId, Guid? MemberId, string ClientId, string[] Scopes, string Jti,
    DateTimeOffset IssuedAt, DateTimeOffset Expires, string Issuer, string Audience);

public static class OAuthClaims
{
    public const string ClientId = "client_id";
    public const string Scope = "scope";
    public const string GrantId = "grant_id";
    public const string TenantId = "tenant_id";
}

/// <summary>Issues and validates the JWT access tokens.</summary>
public sealed class AccessTokens(SigningKeys keys, IOptionsMonitor<OAuthOptions> options, IClock clock)
{
    public const string TokenType = "at+jwt";
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2 && token.StartsWith("ey", StringComparison.Ordinal);

    public async Task<(string Token, int ExpiresIn)> IssueAsync(string issuer, GrantRow grant, string clientId, string[] scopes, CancellationToken ct)
    {
        var key = await keys.CurrentAsync(ct);
        var now = clock.UtcNow;
        var lifetime = options.CurrentValue.AccessTokenLifetime;
        var token = Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = options.CurrentValue.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            TokenType = TokenType,
            SigningCredentials = new SigningCredentials(key.SecurityKey, SigningKeys.Algorithm),
            Claims = new Dictionary<string, object>
            {
                // RFC 9068 §2.2: without a resource owner (client_credentials) the subject is the client itself.
                [JwtRegisteredClaimNames.Sub] = grant.MemberId?.ToString() ?? clientId,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                [OAuthClaims.ClientId] = clientId,
                [OAuthClaims.Scope] = OAuthScopes.Join(scopes),
                [OAuthClaims.TenantId] = grant.TenantId.ToString(),
                [OAuthClaims.GrantId] = grant.Id.ToString(),
            },
        });
        return (token, (int)lifetime.TotalSeconds);
    }

    /// <summary>Signature, issuer, audience, type and lifetime; null when any of them fails. Revocation is the caller's check.</summary>
    public async Task<AccessTokenClaims?> ValidateAsync(string token, string issuer, CancellationToken ct)
    {
        if (!LooksLikeJwt(token)) return null;
        JsonWebToken parsed;
        try
        {
            parsed = Handler.ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return null;
        }
        if (parsed.Alg != SigningKeys.Algorithm || string.IsNullOrEmpty(parsed.Kid)) return null;
        var key = await keys.FindAsync(parsed.Kid, ct);
        if (key is null) return null;
        var result = await Handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidAudience = options.CurrentValue.Audience,
            IssuerSigningKey = key.SecurityKey,
            ValidAlgorithms = [SigningKeys.Algorithm],
            ValidTypes = [TokenType],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, _) =>
                notBefore is { } nbf && expires is { } exp && nbf <= clock.UtcNow.UtcDateTime.AddSeconds(30) && exp > clock.UtcNow.UtcDateTime.AddSeconds(-30),
        });
        if (!result.IsValid) return null;
        var claims = result.ClaimsIdentity;
        string? Claim(string type) => claims.FindFirst(type)?.Value;
        if (!Guid.TryParse(Claim(OAuthClaims.GrantId), out var grantId) || !Guid.TryParse(Claim(OAuthClaims.TenantId), out var tenantId)
            || Claim(OAuthClaims.ClientId) is not { } clientId || (Claim(JwtRegisteredClaimNames.Sub) ?? Claim(ClaimTypes.NameIdentifier)) is not { } subject)
            return null;
        Guid? memberId = Guid.TryParse(subject, out var member) ? member : null;
        if (memberId is null && subject != clientId) return null;
        var jwt = (JsonWebToken)result.SecurityToken;
        return new AccessTokenClaims(grantId, tenantId, memberId, clientId, (Claim(OAuthClaims.Scope) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
            jwt.Id, new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero), new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), issuer, options.CurrentValue.Audience);
    }
}
