using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Integrations.Api.Errors;
using Integrations.Application.ApiKeys;
using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Security.ApiKeys;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Integrations.Api.Authentication;

public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The platform administrator's bearer key (INTEGRATIONS_ADMIN_KEY).</summary>
    public string? AdminKey { get; set; }
}

public static class Principals
{
    public const string Scheme = "Bearer";
    public const string AdminRole = "admin";
    public const string TenantIdClaim = "tenant_id";
    public const string KeyIdClaim = "key_id";
    public const string PlanClaim = "plan";

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(AdminRole);

    public static Guid? TenantId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(TenantIdClaim), out var id) ? id : null;

    /// <summary>Names the caller in event metadata and logs without revealing a secret.</summary>
    public static string Actor(this ClaimsPrincipal user) =>
        user.IsAdmin() ? "admin" : user.FindFirstValue(KeyIdClaim) is { } keyId ? $"api_key:{keyId}"
        : user.FindFirstValue(OAuth.OAuthClaims.ClientId) is { } clientId ? $"oauth:{clientId}:{user.FindFirstValue(ClaimTypes.NameIdentifier)}" : "anonymous";
}

/// <summary>
/// Authorization: Bearer &lt;admin key | tenant API key&gt;. Keys are looked up by their SHA-256,
/// through a cache that every change to keys or plans empties as it commits, so a revoked key stops
/// working at once (ADR 0005, <see cref="ApiKeyCache"/>).
/// </summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<AuthOptions> auth,
    IApiKeyReadModel apiKeys,
    ApiKeyCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.Fail("Use the Bearer scheme.");
        var token = header["Bearer ".Length..].Trim();

        if (auth.CurrentValue.AdminKey is { Length: > 0 } adminKey && FixedTimeEquals(token, adminKey))
            return Success([new Claim(ClaimTypes.Role, Principals.AdminRole)]);

        // OAuth access tokens (JWT, ADR 0009): validated, then checked against revocation on every request.
        if (OAuth.AccessTokens.LooksLikeJwt(token))
        {
            var claims = await Context.RequestServices.GetRequiredService<OAuth.OAuthBearerValidator>().AuthenticateAsync(Request, token, Context.RequestAborted);
            return claims is null ? AuthenticateResult.Fail("Invalid credentials.") : Success(claims);
        }

        if (!ApiKeyFormat.LooksLikeApiKey(token)) return AuthenticateResult.Fail("Invalid credentials.");
        var identity = await cache.FindActiveAsync(ApiKeyFormat.Hash(token), apiKeys.FindActiveByHashAsync, Context.RequestAborted);
        return identity is null
            ? AuthenticateResult.Fail("Invalid credentials.")
            : Success([
                new Claim(Principals.TenantIdClaim, identity.TenantId.ToString()),
                new Claim(Principals.KeyIdClaim, identity.KeyId.ToString()),
                new Claim(Principals.PlanClaim, identity.Plan),
            ]);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var presented = Request.Headers.Authorization.ToString();
        var failed = !string.IsNullOrEmpty(presented);
        // RFC 6750 §3.1 for OAuth access tokens (expired, revoked, forged); API keys keep the plain challenge.
        Response.Headers.WWWAuthenticate = failed && presented.Length > 7 && OAuth.AccessTokens.LooksLikeJwt(presented[7..].Trim())
            ? "Bearer error=\"invalid_token\"" : "Bearer";
        await ApiErrors.WriteAsync(Context, 401, failed ? "invalid_credentials" : "unauthenticated",
            failed ? "The bearer token is not a valid admin key, API key or access token, or it was revoked." : "Send Authorization: Bearer <API key>.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiErrors.WriteAsync(Context, 403, "forbidden", "This credential may not perform this operation.");

    private AuthenticateResult Success(Claim[] claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name, ClaimTypes.Name, ClaimTypes.Role)), Scheme.Name));

    // Compare digests so neither the length nor the content of the admin key leaks through timing.
    internal static bool FixedTimeEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
