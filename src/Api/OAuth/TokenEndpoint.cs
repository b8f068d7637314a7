using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.OAuth;
using Integrations.Application.OAuth.Commands.IssueClientCredentialsGrant;
using Integrations.Application.OAuth.Commands.RevokeGrant;
using Integrations.Domain.Marketplace;
using MediatR;
using Microsoft.Extensions.Options;

namespace Integrations.Api.OAuth;

/// <summary>Token (RFC 6749 §3.2, §4.1.3, §6), revocation (RFC 7009) and introspection (RFC 7662) endpoints.</summary>
public static class TokenEndpoint
{
    private sealed record ClientAuth(AppRow? App, IResult? Error, bool Authenticated);

    /// <summary>RFC 6749 §5.2 error response; 401 with a challenge when client authentication failed.</summary>
    private static IResult Error(HttpContext http, string error, string description, int status = 400)
    {
        NoStore(http);
        if (status == 401) http.Response.Headers.WWWAuthenticate = "Basic realm=\"oauth\", charset=\"UTF-8\"";
        return Results.Json(new JsonObject { ["error"] = error, ["error_description"] = description }, statusCode: status);
    }

    private static void NoStore(HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
    }

    private static async Task<(IFormCollection? Form, IResult? Error)> ReadFormAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType) return (null, Error(http, "invalid_request", "Send application/x-www-form-urlencoded parameters."));
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var repeated = form.Where(f => f.Value.Count > 1).Select(f => f.Key).ToList();
        if (repeated.Count > 0) return (null, Error(http, "invalid_request", $"Parameters must not repeat: {string.Join(", ", repeated)}."));
        if (http.Request.Query.Count > 0) return (null, Error(http, "invalid_request", "Send parameters in the request body, not the URL."));
        return (form, null);
    }

    /// <summary>
    /// client_secret_basic, client_secret_post or none (public clients: client_id only). A request using
    /// more than one method is refused; a confidential client must authenticate.
    /// </summary>
    private static async Task<ClientAuth> AuthenticateClientAsync(HttpContext http, IFormCollection form, IOAuthStore store, CancellationToken ct)
    {
        string? clientId = null, secret = null;
        var header = http.Request.Headers.Authorization.ToString();
        var usedBasic = false;
        if (!string.IsNullOrEmpty(header))
        {
            var parsed = OAuthServerEndpoints.ParseAuthorization(header);
            if (parsed is null || !string.Equals(parsed.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || parsed.Parameter is null)
                return new ClientAuth(null, Error(http, "invalid_client", "Use HTTP Basic client authentication.", 401), false);
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parsed.Parameter));
            }
            catch (FormatException)
            {
                return new ClientAuth(null, Error(http, "invalid_client", "Malformed Basic credentials.", 401), false);
            }
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) return new ClientAuth(null, Error(http, "invalid_client", "Malformed Basic credentials.", 401), false);
            // RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
            clientId = Uri.UnescapeDataString(decoded[..colon].Replace('+', ' '));
            secret = Uri.UnescapeDataString(decoded[(colon + 1)..].Replace('+', ' '));
            usedBasic = true;
            if (form.ContainsKey("client_secret")) return new ClientAuth(null, Error(http, "invalid_request", "Use one client authentication method only."), false);
            if (form.TryGetValue("client_id", out var bodyId) && bodyId.ToString() != clientId)
                return new ClientAuth(null, Error(http, "invalid_request", "client_id in the body differs from the authenticated client."), false);
        }
        else
        {
            clientId = form["client_id"].ToString();
            secret = form.TryGetValue("client_secret", out var s) ? s.ToString() : null;
        }
        if (string.IsNullOrEmpty(clientId)) return new ClientAuth(null, Error(http, "invalid_client", "Client authentication is required.", 401), false);
        var app = await store.FindAppByClientIdAsync(clientId, ct);
        if (app is null) return new ClientAuth(null, Error(http, "invalid_client", "Unknown client.", 401), false);
        if (app.IsConfidential)
        {
            if (string.IsNullOrEmpty(secret) || app.ClientSecretHash is null
                || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(OpaqueSecret.Hash(secret)), Encoding.ASCII.GetBytes(app.ClientSecretHash)))
                return new ClientAuth(null, Error(http, "invalid_client", "Client authentication failed.", 401), false);
            return Authenticated(http, app, true);
        }
        // A public client has no secret; presenting one is an error, not a no-op.
        if (!string.IsNullOrEmpty(secret) || usedBasic) return new ClientAuth(null, Error(http, "invalid_client", "This client is public: it has no secret.", 401), false);
        return Authenticated(http, app, false);
    }

    /// <summary>The client is who acts: the grants this request creates or revokes record it as their actor.</summary>
    private static ClientAuth Authenticated(HttpContext http, AppRow app, bool authenticated)
    {
        http.RequestServices.GetRequiredService<Infrastructure.RequestContext>().Actor = $"oauth:{app.ClientId}";
        return new ClientAuth(app, null, authenticated);
    }

    public static async Task<IResult> HandleAsync(HttpContext http, IOAuthStore store, AccessTokens tokens, IClock clock, IOptionsMonitor<OAuthOptions> options, CancellationToken ct)
    {
        var (form, formError) = await ReadFormAsync(http);
        if (formError is not null) return formError;
        var client = await AuthenticateClientAsync(http, form!, store, ct);
        if (client.Error is not null) return client.Error;
        var app = client.App!;
        var now = clock.UtcNow;
        var issuer = OAuthOptions.IssuerFor(options.CurrentValue, http.Request);

        switch (form!["grant_type"].ToString())
        {
            case "authorization_code":
            {
                var code = form["code"].ToString();
                var redirectUri = form["redirect_uri"].ToString();
                var verifier = form.TryGetValue("code_verifier", out var v) ? v.ToString() : null;
                if (string.IsNullOrEmpty(code)) return Error(http, "invalid_request", "code is required.");
                if (string.IsNullOrEmpty(redirectUri)) return Error(http, "invalid_request", "redirect_uri is required.");
                var (outcome, redeemed) = await store.RedeemCodeAsync(OpaqueSecret.Hash(code), now, ct);
                if (outcome == CodeOutcome.Unknown) return Error(http, "invalid_grant", "The authorization code is invalid.");
                if (outcome == CodeOutcome.AlreadyRedeemed)
                {
                    // RFC 6749 §4.1.2 / RFC 9700 §4.5: a replayed code revokes everything issued from it.
                    await RevokeGrantAsync(http, redeemed!.Grant.Id, GrantRevocationReasons.CodeReuse, ct);
                    return Error(http, "invalid_grant", "The authorization code was already used; every token issued from it is revoked.");
                }
                var c = redeemed!;
                string? problem = null;
                if (c.ClientId != app.ClientId) problem = "The authorization code was issued to another client.";
                else if (c.ExpiresAt <= now) problem = "The authorization code expired.";
                else if (c.RedirectUri != redirectUri) problem = "redirect_uri does not match the authorization request.";
                else if (c.CodeChallenge is null && verifier is not null) problem = "code_verifier sent, but the authorization request had no code_challenge.";
                else if (c.CodeChallenge is not null && string.IsNullOrEmpty(verifier)) problem = "code_verifier is required.";
                else if (c.CodeChallenge is not null && (verifier!.Length is < 43 or > 128 || !verifier.All(ch => OAuthServerEndpoints.IsBase64UrlChar(ch) || ch is '.' or '~')
                                                         || !OAuthServerEndpoints.VerifierMatches(verifier, c.CodeChallenge)))
                    problem = "code_verifier does not match the code_challenge.";
                else if (c.Grant.RevokedAt is not null) problem = "The authorization was revoked.";
                if (problem is not null)
                {
                    await RevokeGrantAsync(http, c.Grant.Id, GrantRevocationReasons.FailedCodeExchange, ct);
                    return Error(http, "invalid_grant", problem);
                }
                return await IssueAsync(http, store, tokens, options.CurrentValue, issuer, c.Grant, app.ClientId, c.Grant.Scopes, c.Grant.Scopes, now, ct);
            }
            case "refresh_token":
            {
                var presented = form["refresh_token"].ToString();
                if (string.IsNullOrEmpty(presented)) return Error(http, "invalid_request", "refresh_token is required.");
                var use = await store.UseRefreshTokenAsync(OpaqueSecret.Hash(presented), now, ct);
                if (use.Outcome == RefreshOutcome.Unknown) return Error(http, "invalid_grant", "The refresh token is invalid.");
                if (use.Outcome == RefreshOutcome.Reused || use.ClientId != app.ClientId)
                {
                    // RFC 9700 §4.14.2: a rotated refresh token used again means it leaked; revoke the whole grant.
                    await RevokeGrantAsync(http, use.GrantId!.Value,
                        use.Outcome == RefreshOutcome.Reused ? GrantRevocationReasons.RefreshTokenReuse : GrantRevocationReasons.RefreshTokenWrongClient, ct);
                    return Error(http, "invalid_grant", "The refresh token was already used or belongs to another client; the authorization is revoked.");
                }
                if (use.ExpiresAt <= now) return Error(http, "invalid_grant", "The refresh token expired.");
                var grant = await store.FindGrantAsync(use.GrantId!.Value, ct);
                if (grant is null || grant.RevokedAt is not null) return Error(http, "invalid_grant", "The authorization was revoked.");
                var requested = OAuthScopes.Parse(form.TryGetValue("scope", out var scope) ? scope.ToString() : null);
                if (requested is null) return Error(http, "invalid_scope", "The scope parameter names an unknown scope.");
                if (requested.Length == 0) requested = use.Scopes;
                // RFC 6749 §6: never beyond what was granted (nor beyond what the app declares today).
                if (requested.Except(use.Scopes, StringComparer.Ordinal).Any() || requested.Except(app.Scopes, StringComparer.Ordinal).Any())
                    return Error(http, "invalid_scope", "The requested scope exceeds the scope originally granted.");
                return await IssueAsync(http, store, tokens, options.CurrentValue, issuer, grant, app.ClientId, requested, use.Scopes, now, ct);
            }
            case "client_credentials":
                return await ClientCredentialsAsync(http, form, store, tokens, app, client.Authenticated, issuer, ct);
            case "":
                return Error(http, "invalid_request", "grant_type is required.");
            default:
                return Error(http, "unsupported_grant_type", "Supported: authorization_code, refresh_token, client_credentials.");
        }
    }

    /// <summary>
    /// RFC 6749 §4.4: a confidential app acting for an organisation that installed it, with no member.
    /// The organisation is named by <c>tenant_id</c>; the scope may not exceed what its members consented
    /// to for this app (grants not revoked). No refresh token (§4.4.3): the app asks again.
    /// </summary>
    private static async Task<IResult> ClientCredentialsAsync(HttpContext http, IFormCollection form, IOAuthStore store, AccessTokens tokens, AppRow app,
        bool authenticated, string issuer, CancellationToken ct)
    {
        // §4.4: only confidential clients, which can keep their credentials secret.
        if (!authenticated) return Error(http, "unauthorized_client", "The client_credentials grant is for confidential clients only.");
        if (!form.TryGetValue("tenant_id", out var tenantParameter) || !Guid.TryParse(tenantParameter.ToString(), out var tenantId))
            return Error(http, "invalid_request", "tenant_id is required: the id of an organisation that installed this application.");
        var requested = OAuthScopes.Parse(form.TryGetValue("scope", out var scope) ? scope.ToString() : null);
        if (requested is null) return Error(http, "invalid_scope", "The scope parameter names an unknown scope.");
        // Same answer for an unknown organisation and one that never installed (or disconnected) the app.
        var consented = app.InstallableBy(tenantId) ? await store.ConsentedScopesAsync(tenantId, app.Id, ct) : [];
        var allowed = consented.Intersect(app.Scopes, StringComparer.Ordinal).ToArray();
        if (allowed.Length == 0) return Error(http, "unauthorized_client", "The application is not installed in this organisation.");
        if (requested.Length == 0) requested = allowed;
        if (requested.Except(allowed, StringComparer.Ordinal).Any())
            return Error(http, "invalid_scope", "The requested scope exceeds what the organisation consented to for this application.");

        var grant = await http.RequestServices.GetRequiredService<IMediator>().Send(new IssueClientCredentialsGrantCommand(tenantId, app.Id, requested), ct);
        var (accessToken, expiresIn) = await tokens.IssueAsync(issuer, grant, app.ClientId, requested, ct);
        NoStore(http);
        return Results.Json(new JsonObject
        {
            ["access_token"] = accessToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = expiresIn,
            ["scope"] = OAuthScopes.Join(requested),
        });
    }

    private static async Task<IResult> IssueAsync(HttpContext http, IOAuthStore store, AccessTokens tokens, OAuthOptions options, string issuer, GrantRow grant,
        string clientId, string[] accessScopes, string[] refreshScopes, DateTimeOffset now, CancellationToken ct)
    {
        var (accessToken, expiresIn) = await tokens.IssueAsync(issuer, grant, clientId, accessScopes, ct);
        var refreshToken = OpaqueSecret.Generate("rt_");
        // The new refresh token carries the scope of the grant, whatever narrower scope this access token has (RFC 6749 §6).
        await store.InsertRefreshTokenAsync(OpaqueSecret.Hash(refreshToken), grant.Id, clientId, refreshScopes, now + options.RefreshTokenLifetime, ct);
        NoStore(http);
        return Results.Json(new JsonObject
        {
            ["access_token"] = accessToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = expiresIn,
            ["refresh_token"] = refreshToken,
            ["scope"] = OAuthScopes.Join(accessScopes),
        });
    }

    /// <summary>Revokes the grant through its stream (a grant revoked already stays as it was).</summary>
    private static Task RevokeGrantAsync(HttpContext http, Guid grantId, string reason, CancellationToken ct) =>
        http.RequestServices.GetRequiredService<IMediator>().Send(new RevokeGrantCommand(grantId, reason), ct);

    /// <summary>
    /// RFC 7009: revoking either token revokes the grant (the access token and every refresh token of it).
    /// §2.2: 200 for unknown, expired or already revoked tokens (the token is already useless). §2.1: a
    /// token issued to another client is refused (400 unauthorized_client) and nothing is revoked; that
    /// answer tells the caller only what it could learn by using a token it already holds. The
    /// token_type_hint is ignored: every kind of token is looked up (§2.1 allows that).
    /// </summary>
    public static async Task<IResult> RevokeAsync(HttpContext http, IOAuthStore store, AccessTokens tokens, IOptionsMonitor<OAuthOptions> options, CancellationToken ct)
    {
        var (form, formError) = await ReadFormAsync(http);
        if (formError is not null) return formError;
        var client = await AuthenticateClientAsync(http, form!, store, ct);
        if (client.Error is not null) return client.Error;
        var token = form!["token"].ToString();
        if (string.IsNullOrEmpty(token)) return Error(http, "invalid_request", "token is required.");
        var found = await FindTokenAsync(http, token, store, tokens, options.CurrentValue, ct);
        if (found is { } t)
        {
            if (t.ClientId != client.App!.ClientId) return Error(http, "unauthorized_client", "The token was not issued to this client.");
            await RevokeGrantAsync(http, t.GrantId, GrantRevocationReasons.RevokedByClient, ct);
        }
        NoStore(http);
        return Results.Ok();
    }

    private sealed record FoundToken(Guid GrantId, string ClientId, AccessTokenClaims? Access, RefreshTokenRow? Refresh = null);

    private static async Task<FoundToken?> FindTokenAsync(HttpContext http, string token, IOAuthStore store, AccessTokens tokens, OAuthOptions options, CancellationToken ct)
    {
        if (AccessTokens.LooksLikeJwt(token))
        {
            var claims = await tokens.ValidateAsync(token, OAuthOptions.IssuerFor(options, http.Request), ct);
            return claims is null ? null : new FoundToken(claims.GrantId, claims.ClientId, claims);
        }
        var refresh = await store.FindRefreshTokenAsync(OpaqueSecret.Hash(token), ct);
        return refresh is { } r ? new FoundToken(r.GrantId, r.ClientId, null, r) : null;
    }

    /// <summary>RFC 7662, for confidential clients only, about their own tokens; anything else is {"active": false}.</summary>
    public static async Task<IResult> IntrospectAsync(HttpContext http, IOAuthStore store, AccessTokens tokens, IClock clock, IOptionsMonitor<OAuthOptions> options, CancellationToken ct)
    {
        var (form, formError) = await ReadFormAsync(http);
        if (formError is not null) return formError;
        var client = await AuthenticateClientAsync(http, form!, store, ct);
        if (client.Error is not null) return client.Error;
        if (!client.Authenticated) return Error(http, "invalid_client", "Introspection is for confidential clients: authenticate with the client secret.", 401);
        var token = form!["token"].ToString();
        if (string.IsNullOrEmpty(token)) return Error(http, "invalid_request", "token is required.");
        NoStore(http);
        var inactive = Results.Json(new JsonObject { ["active"] = false });
        var found = await FindTokenAsync(http, token, store, tokens, options.CurrentValue, ct);
        if (found is null || found.ClientId != client.App!.ClientId) return inactive;
        var grant = await store.FindGrantAsync(found.GrantId, ct);
        if (grant is null || grant.RevokedAt is not null) return inactive;
        // A client_credentials token also lapses with the consents behind it: the same check as the API's.
        if (grant.IsClientCredentials && await store.GrantStatusAsync(grant.Id, ct) is not { Revoked: false }) return inactive;
        var issuer = OAuthOptions.IssuerFor(options.CurrentValue, http.Request);
        if (found.Access is { } a)
            return Results.Json(new JsonObject
            {
                ["active"] = true,
                ["scope"] = OAuthScopes.Join(a.Scopes),
                ["client_id"] = a.ClientId,
                ["sub"] = a.MemberId?.ToString() ?? a.ClientId,
                ["tenant_id"] = a.TenantId.ToString(),
                ["token_type"] = "Bearer",
                ["exp"] = a.Expires.ToUnixTimeSeconds(),
                ["iat"] = a.IssuedAt.ToUnixTimeSeconds(),
                ["nbf"] = a.IssuedAt.ToUnixTimeSeconds(),
                ["iss"] = issuer,
                ["aud"] = a.Audience,
                ["jti"] = a.Jti,
            });
        var use = found.Refresh!;
        if (use.Used || use.ExpiresAt <= clock.UtcNow) return inactive;
        return Results.Json(new JsonObject
        {
            ["active"] = true,
            ["scope"] = OAuthScopes.Join(use.Scopes),
            ["client_id"] = found.ClientId,
            ["sub"] = grant.MemberId?.ToString() ?? found.ClientId,
            ["tenant_id"] = grant.TenantId.ToString(),
            ["token_type"] = "refresh_token",
            ["exp"] = use.ExpiresAt.ToUnixTimeSeconds(),
            ["iss"] = issuer,
        });
    }
}
