using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.OAuth;
using Integrations.Application.OAuth.Commands.AuthorizeApp;
using MediatR;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Integrations.Api.OAuth;

/// <summary>
/// The authorization server: discovery (RFC 8414), JWKS, the authorization endpoint with sign-in and
/// consent (RFC 6749 §4.1, PKCE RFC 7636), the token endpoint, revocation (RFC 7009) and
/// introspection (RFC 7662). Security choices follow RFC 9700; see ADR 0009 and docs/oauth.md.
/// </summary>
public static class OAuthServerEndpoints
{
    public const string SessionScheme = "OAuthSession";
    public const string MemberIdClaim = "member_id";

    /// <summary>The only answer to a failed sign-in, whatever the reason.</summary>
    public const string FailedSignIn =
        "The organisation, e-mail or password is not correct, or sign-in is paused after too many failed attempts. Try again later.";

    public static IEndpointRouteBuilder MapOAuthServer(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/oauth-authorization-server", (HttpContext http, IOptionsMonitor<OAuthOptions> options) =>
        {
            var issuer = OAuthOptions.IssuerFor(options.CurrentValue, http.Request);
            http.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Json(new JsonObject
            {
                ["issuer"] = issuer,
                ["authorization_endpoint"] = issuer + "/oauth/authorize",
                ["token_endpoint"] = issuer + "/oauth/token",
                ["revocation_endpoint"] = issuer + "/oauth/revoke",
                ["introspection_endpoint"] = issuer + "/oauth/introspect",
                ["jwks_uri"] = issuer + "/oauth/jwks",
                ["scopes_supported"] = new JsonArray(OAuthScopes.Catalogue.Keys.Select(k => (JsonNode)k).ToArray()),
                ["response_types_supported"] = new JsonArray("code"),
                ["response_modes_supported"] = new JsonArray("query"),
                ["grant_types_supported"] = new JsonArray("authorization_code", "refresh_token", "client_credentials"),
                ["code_challenge_methods_supported"] = new JsonArray("S256"),
                ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_basic", "client_secret_post", "none"),
                ["revocation_endpoint_auth_methods_supported"] = new JsonArray("client_secret_basic", "client_secret_post", "none"),
                ["introspection_endpoint_auth_methods_supported"] = new JsonArray("client_secret_basic", "client_secret_post"),
                ["authorization_response_iss_parameter_supported"] = true,
                ["service_documentation"] = issuer + "/docs",
            });
        }).AllowAnonymous().ExcludeFromDescription();

        app.MapGet("/oauth/jwks", async (HttpContext http, SigningKeys keys, CancellationToken ct) =>
        {
            var published = await keys.VerifyingAsync(ct);
            http.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Json(new JsonObject { ["keys"] = new JsonArray(published.Select(k => JsonNode.Parse(k.PublicJwk)).ToArray()) },
                contentType: "application/jwk-set+json");
        }).AllowAnonymous().ExcludeFromDescription();

        app.MapGet("/oauth/authorize", (HttpContext http, IServiceProvider services, CancellationToken ct) =>
            Authorize(http, services, Flatten(http.Request.Query), ct)).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/oauth/authorize/sign-in", SignIn).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
        app.MapPost("/oauth/authorize/consent", Consent).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
        app.MapPost("/oauth/authorize/sign-out", (Delegate)SignOut).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
        app.MapPost("/oauth/token", TokenEndpoint.HandleAsync).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
        app.MapPost("/oauth/revoke", TokenEndpoint.RevokeAsync).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
        app.MapPost("/oauth/introspect", TokenEndpoint.IntrospectAsync).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
        app.MapInvitationPages();
        return app;
    }

    /// <summary>A parameter that appears more than once is kept as null (RFC 6749 §3.1: invalid_request).</summary>
    private static Dictionary<string, string?> Flatten(IEnumerable<KeyValuePair<string, StringValues>> values) =>
        values.ToDictionary(p => p.Key, p => p.Value.Count == 1 ? p.Value[0] : null, StringComparer.Ordinal);

    private sealed record ValidRequest(AppRow App, string RedirectUri, string? State, string[] Scopes, string? CodeChallenge, string RawQuery, bool PromptConsent);

    private abstract record Validation;

    private sealed record Fatal(string Message) : Validation;

    private sealed record RedirectError(string RedirectUri, string Error, string Description, string? State) : Validation;

    private sealed record Valid(ValidRequest Request) : Validation;

    private static async Task<Validation> ValidateAsync(IDictionary<string, string?> p, IOAuthStore store, CancellationToken ct)
    {
        // Until client_id and redirect_uri are trusted, never redirect: an open redirector otherwise.
        if (!p.TryGetValue("client_id", out var clientId) || string.IsNullOrEmpty(clientId)) return new Fatal("The request has no valid client_id.");
        var app = await store.FindAppByClientIdAsync(clientId, ct);
        if (app is null) return new Fatal("Unknown client_id: no application is registered with this identifier.");
        if (!p.TryGetValue("redirect_uri", out var redirectUri) || string.IsNullOrEmpty(redirectUri))
            return new Fatal("The request has no redirect_uri (this server requires it on every authorization request).");
        // Exact string comparison (RFC 9700 §4.1.3): no case folding, no trailing-slash normalisation.
        if (!app.RedirectUris.Contains(redirectUri, StringComparer.Ordinal)) return new Fatal("The redirect_uri is not registered for this application.");

        var state = p.TryGetValue("state", out var s) ? s : null;
        RedirectError Fail(string error, string description) => new(redirectUri, error, description, state);
        var repeated = p.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList();
        if (repeated.Count > 0) return Fail("invalid_request", $"Parameters must not repeat: {string.Join(", ", repeated)}.");
        if (!p.TryGetValue("response_type", out var responseType) || string.IsNullOrEmpty(responseType)) return Fail("invalid_request", "response_type is required.");
        if (responseType != "code") return Fail("unsupported_response_type", "Only response_type=code is supported.");
        if (p.TryGetValue("response_mode", out var mode) && mode is not "query") return Fail("invalid_request", "Only response_mode=query is supported.");

        var requested = OAuthScopes.Parse(p.TryGetValue("scope", out var scope) ? scope : null);
        if (requested is null) return Fail("invalid_scope", "The scope parameter names an unknown scope.");
        if (requested.Length == 0) requested = app.Scopes;
        if (requested.Except(app.Scopes, StringComparer.Ordinal).Any()) return Fail("invalid_scope", "The requested scope exceeds what the application declared.");

        // prompt=consent (the value OpenID Connect defines) always shows the consent page; nothing else is supported.
        var promptConsent = p.TryGetValue("prompt", out var prompt);
        if (promptConsent && prompt != "consent") return Fail("invalid_request", "Only prompt=consent is supported.");

        p.TryGetValue("code_challenge", out var challenge);
        p.TryGetValue("code_challenge_method", out var method);
        if (string.IsNullOrEmpty(challenge))
        {
            if (!string.IsNullOrEmpty(method)) return Fail("invalid_request", "code_challenge_method without code_challenge.");
            if (!app.IsConfidential) return Fail("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256.");
            challenge = null;
        }
        else
        {
            if (method != "S256") return Fail("invalid_request", "Only code_challenge_method=S256 is supported (plain is refused).");
            if (challenge.Length != 43 || !challenge.All(IsBase64UrlChar)) return Fail("invalid_request", "code_challenge must be the base64url SHA-256 of the verifier (43 characters).");
        }
        var raw = QueryString.Create(p.Where(kv => kv.Value is not null).Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value))).ToUriComponent().TrimStart('?');
        return new Valid(new ValidRequest(app, redirectUri, state, requested, challenge, raw, promptConsent));
    }

    internal static bool IsBase64UrlChar(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';

    private static IResult RedirectWith(HttpContext http, string redirectUri, string? state, params (string Name, string Value)[] values)
    {
        var issuer = OAuthOptions.IssuerFor(http.RequestServices.GetRequiredService<IOptionsMonitor<OAuthOptions>>().CurrentValue, http.Request);
        var query = new List<KeyValuePair<string, string?>>(values.Select(v => new KeyValuePair<string, string?>(v.Name, v.Value)));
        if (state is not null) query.Add(new("state", state));
        query.Add(new("iss", issuer));
        var location = QueryHelpers.AddQueryString(redirectUri, query);
        NoStore(http);
        // 303: the browser follows with GET, never re-posting the consent form to the client.
        return new SeeOther(location);
    }

    private sealed class SeeOther(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }

    private static void NoStore(HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        http.Response.Headers["X-Frame-Options"] = "DENY";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";
    }

    private static async Task<IResult> Authorize(HttpContext http, IServiceProvider services, IDictionary<string, string?> parameters, CancellationToken ct)
    {
        NoStore(http);
        var store = services.GetRequiredService<IOAuthStore>();
        var validation = await ValidateAsync(parameters, store, ct);
        switch (validation)
        {
            case Fatal fatal: return OAuthHtml.Error(fatal.Message);
            case RedirectError e: return RedirectWith(http, e.RedirectUri, e.State, ("error", e.Error), ("error_description", e.Description));
        }
        var request = ((Valid)validation).Request;
        var member = await SessionMemberAsync(http, store, ct);
        if (member is null) return SignInPage(http, request, null);
        if (!request.App.InstallableBy(member.TenantId))
            return RedirectWith(http, request.RedirectUri, request.State, ("error", "access_denied"), ("error_description", "This application is not available to your organisation."));
        if (!request.PromptConsent && RemembersConsent(request)
            && await store.HasConsentCoveringAsync(member.TenantId, member.Id, request.App.Id, request.Scopes, ct))
            return await IssueCodeAsync(http, request, member, ct);
        return ConsentPage(http, request, member);
    }

    private static async Task<MemberRow?> SessionMemberAsync(HttpContext http, IOAuthStore store, CancellationToken ct)
    {
        var session = await http.AuthenticateAsync(SessionScheme);
        if (!session.Succeeded) return null;
        if (!Guid.TryParse(session.Principal.FindFirstValue(MemberIdClaim), out var memberId)
            || !Guid.TryParse(session.Principal.FindFirstValue(Authentication.Principals.TenantIdClaim), out var tenantId)) return null;
        var member = await store.FindMemberAsync(tenantId, memberId, ct);
        return member is { Status: "active" } ? member : null;
    }

    private static string AntiforgeryField(HttpContext http)
    {
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        return OAuthHtml.Hidden(tokens.FormFieldName, tokens.RequestToken!);
    }

    private static IResult SignInPage(HttpContext http, ValidRequest request, string? error, string organisation = "", string email = "") =>
        OAuthHtml.Page("Sign in", $"""
            <h1>Sign in to continue to {OAuthHtml.E(request.App.Name)}</h1>
            {(error is null ? "" : $"<p class=\"error\" id=\"error\">{OAuthHtml.E(error)}</p>")}
            <form method="post" action="/oauth/authorize/sign-in" id="sign-in">
              {AntiforgeryField(http)}
              {OAuthHtml.Hidden("request", request.RawQuery)}
              {MemberSignIn.FormFields(organisation, email)}
              <button type="submit" id="submit">Sign in</button>
            </form>
            <p class="muted">Your organisation ID is in the invitation you accepted.</p>
            """, error is null ? 200 : 400);

    private static IResult ConsentPage(HttpContext http, ValidRequest request, MemberRow member)
    {
        var app = request.App;
        var scopes = string.Join("\n", request.Scopes.Select(s => $"<li><code>{OAuthHtml.E(s)}</code>: {OAuthHtml.E(OAuthScopes.Catalogue[s])}</li>"));
        return OAuthHtml.Page("Authorize " + app.Name, $"""
            <h1>{OAuthHtml.E(app.Name)} wants access to your organisation</h1>
            <p>Signed in as <strong>{OAuthHtml.E(member.Email)}</strong>.</p>
            <p>{OAuthHtml.E(app.Description)}</p>
            {(app.HomepageUrl is null ? "" : $"<p class=\"muted\">Developer site: {OAuthHtml.E(app.HomepageUrl)}</p>")}
            <p>It will be able to:</p>
            <ul class="scopes" id="scopes">{scopes}</ul>
            <p class="muted">You will be sent back to <code>{OAuthHtml.E(request.RedirectUri)}</code>. You can disconnect the app at any time.</p>
            <form method="post" action="/oauth/authorize/consent" id="consent">
              {AntiforgeryField(http)}
              {OAuthHtml.Hidden("request", request.RawQuery)}
              <button type="submit" name="decision" value="allow" id="allow">Allow</button>
              <button type="submit" name="decision" value="deny" id="deny">Deny</button>
            </form>
            """);
    }

    /// <summary>Reads the form and checks the antiforgery token; null when the form is refused.</summary>
    private static async Task<IFormCollection?> VerifiedFormAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType) return null;
        try
        {
            await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http);
        }
        catch (AntiforgeryValidationException)
        {
            return null;
        }
        return await http.Request.ReadFormAsync(http.RequestAborted);
    }

    private static IResult Forged() =>
        OAuthHtml.Error("The form expired or did not come from this site (anti-forgery check failed). Start again from the application.", 400);

    private static async Task<IResult> SignIn(HttpContext http, IOAuthStore store, MemberSignIn signIn, IClock clock, IOptionsMonitor<OAuthOptions> options, CancellationToken ct)
    {
        NoStore(http);
        var form = await VerifiedFormAsync(http);
        if (form is null) return Forged();
        var validation = await ValidateAsync(Flatten(QueryHelpers.ParseQuery(form["request"].ToString())), store, ct);
        if (validation is Fatal fatal) return OAuthHtml.Error(fatal.Message);
        if (validation is RedirectError e) return RedirectWith(http, e.RedirectUri, e.State, ("error", e.Error), ("error_description", e.Description));
        var request = ((Valid)validation).Request;

        var organisation = form["organisation"].ToString().Trim();
        var email = form["email"].ToString().Trim();
        var password = form["password"].ToString();
        var member = await signIn.VerifyAsync(organisation, email, password, ct);
        // One message for an unknown organisation or address, a wrong password and a locked account: no enumeration.
        if (member is null) return SignInPage(http, request, FailedSignIn, organisation, email);

        var principal = new ClaimsPrincipal(new ClaimsIdentity([
            new Claim(MemberIdClaim, member.Id.ToString()),
            new Claim(Authentication.Principals.TenantIdClaim, member.TenantId.ToString()),
        ], SessionScheme));
        await http.SignInAsync(SessionScheme, principal, new AuthenticationProperties
        {
            IsPersistent = false,
            ExpiresUtc = clock.UtcNow + options.CurrentValue.SessionLifetime,
        });
        return new SeeOther("/oauth/authorize?" + request.RawQuery);
    }

    private static async Task<IResult> SignOut(HttpContext http)
    {
        NoStore(http);
        if (await VerifiedFormAsync(http) is null) return Forged();
        await http.SignOutAsync(SessionScheme);
        return OAuthHtml.Page("Signed out", "<h1>You are signed out</h1>");
    }

    private static async Task<IResult> Consent(HttpContext http, IOAuthStore store, CancellationToken ct)
    {
        NoStore(http);
        var form = await VerifiedFormAsync(http);
        if (form is null) return Forged();
        var validation = await ValidateAsync(Flatten(QueryHelpers.ParseQuery(form["request"].ToString())), store, ct);
        if (validation is Fatal fatal) return OAuthHtml.Error(fatal.Message);
        if (validation is RedirectError e) return RedirectWith(http, e.RedirectUri, e.State, ("error", e.Error), ("error_description", e.Description));
        var request = ((Valid)validation).Request;
        var member = await SessionMemberAsync(http, store, ct);
        if (member is null) return SignInPage(http, request, "Your session ended. Sign in again.");
        if (form["decision"].ToString() != "allow" || !request.App.InstallableBy(member.TenantId))
            return RedirectWith(http, request.RedirectUri, request.State, ("error", "access_denied"), ("error_description", "The resource owner denied the request."));

        return await IssueCodeAsync(http, request, member, ct);
    }

    /// <summary>
    /// Remembered consent (RFC 9700 permits it) only where the code cannot reach an impersonator of the
    /// client (RFC 6749 §10.2, RFC 8252 §8.6): a confidential client (it must authenticate to redeem
    /// the code) or a public client redirecting to https (a host its developer controls). A public
    /// client on a loopback redirect URI, which any local program can listen on, is always asked.
    /// </summary>
    private static bool RemembersConsent(ValidRequest request) =>
        request.App.IsConfidential || request.RedirectUri.StartsWith("https://", StringComparison.Ordinal);

    /// <summary>Every authorization, shown or remembered, is a grant of its own (the unit of revocation) with one code.</summary>
    private static async Task<IResult> IssueCodeAsync(HttpContext http, ValidRequest request, MemberRow member, CancellationToken ct)
    {
        var lifetime = http.RequestServices.GetRequiredService<IOptionsMonitor<OAuthOptions>>().CurrentValue.AuthorizationCodeLifetime;
        // The grant's stream records the member who consented as the actor.
        http.RequestServices.GetRequiredService<Infrastructure.RequestContext>().Actor = $"member:{member.Id}";
        var code = await http.RequestServices.GetRequiredService<IMediator>().Send(new AuthorizeAppCommand(member.TenantId, member.Id, request.App.Id,
            request.App.ClientId, request.Scopes, request.RedirectUri, request.CodeChallenge, lifetime), ct);
        return RedirectWith(http, request.RedirectUri, request.State, ("code", code));
    }

    /// <summary>S256: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge (RFC 7636 §4.6), compared in fixed time.</summary>
    internal static bool VerifierMatches(string verifier, string challenge)
    {
        var computed = Encoding.ASCII.GetBytes(System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
        return CryptographicOperations.FixedTimeEquals(computed, Encoding.ASCII.GetBytes(challenge));
    }

    internal static AuthenticationHeaderValue? ParseAuthorization(string header) =>
        AuthenticationHeaderValue.TryParse(header, out var value) ? value : null;
}
