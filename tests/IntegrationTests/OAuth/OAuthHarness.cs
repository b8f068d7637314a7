using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Shouldly;

namespace Integrations.IntegrationTests.OAuth;

/// <summary>The authorization server without the Workers host (nothing here needs delivery).</summary>
public sealed class OAuthSystem : TestSystem
{
    protected override bool StartWorkers => false;

    // Every test here signs in from 127.0.0.1: the per-address limit of /oauth is not under test.
    protected override IDictionary<string, string?> ExtraConfiguration => new Dictionary<string, string?> { ["RateLimits:OAuthPerAddress"] = "100000" };
}

/// <summary>A small tenant quota, in an hour-long window so that no window boundary falls inside a test.</summary>
public sealed class OAuthRateLimitedSystem : TestSystem
{
    protected override bool StartWorkers => false;

    protected override IDictionary<string, string?> ExtraConfiguration => new Dictionary<string, string?>
    {
        ["RateLimits:Plans:starter"] = "6",
        ["RateLimits:Window"] = "01:00:00",
        ["RateLimits:OAuthPerAddress"] = "12",
    };
}

public sealed record RegisteredApp(Guid Id, string ClientId, string? ClientSecret, string RedirectUri);

public sealed record SignedInMember(Guid TenantId, Guid MemberId, string Email, string Password);

public sealed record TokenResponse(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)
{
    public string AccessToken => Body.GetProperty("access_token").GetString()!;
    public string RefreshToken => Body.GetProperty("refresh_token").GetString()!;
    public string Error => Body.GetProperty("error").GetString()!;
}

/// <summary>Drives the flow as a browser and a client would: real HTTP, cookies, the HTML forms.</summary>
public sealed partial class OAuthHarness(TestSystem system)
{
    public const string Password = "correct horse battery staple";

    public static string Verifier() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Challenge(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    public async Task<RegisteredApp> RegisterAppAsync(TenantWithKey owner, string clientType = "public", string[]? scopes = null, string? redirectUri = null,
        Guid[]? allowedTenantIds = null)
    {
        redirectUri ??= "http://127.0.0.1:9/callback/" + Guid.NewGuid().ToString("N")[..8];
        var response = await owner.Client.PostAsJsonAsync("/api/v1/apps", new
        {
            name = "Test app",
            description = "An app under test.",
            redirect_uris = new[] { redirectUri },
            scopes = scopes ?? ["events:read", "events:write", "webhooks:read"],
            client_type = clientType,
            allowed_tenant_ids = allowedTenantIds ?? [],
        });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var app = body.GetProperty("app");
        return new RegisteredApp(app.GetProperty("id").GetGuid(), app.GetProperty("client_id").GetString()!,
            body.GetProperty("client_secret").ValueKind == JsonValueKind.String ? body.GetProperty("client_secret").GetString() : null, redirectUri);
    }

    public async Task<SignedInMember> CreateMemberAsync(TenantWithKey tenant)
    {
        var email = $"m{Guid.NewGuid():N}"[..10] + "@example.com";
        var invited = await tenant.Client.PostAsJsonAsync("/api/v1/members", new { email, role = "member" });
        invited.StatusCode.ShouldBe(HttpStatusCode.Created, await invited.Content.ReadAsStringAsync());
        var body = await invited.Content.ReadFromJsonAsync<JsonElement>();
        var accepted = await system.Client().PostAsJsonAsync("/api/v1/members/accept", new { invitation_token = body.GetProperty("invitation_token").GetString(), password = Password });
        accepted.StatusCode.ShouldBe(HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync());
        return new SignedInMember(tenant.TenantId, body.GetProperty("member").GetProperty("id").GetGuid(), email, Password);
    }

    /// <summary>A browser: its own cookie jar, redirects not followed (the test looks at each one).</summary>
    public HttpClient Browser() =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true })
        { BaseAddress = system.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public static string AuthorizeUrl(RegisteredApp app, string? challenge, string scope = "events:read", string state = "st-123", string? redirectUri = null,
        string? method = "S256") =>
        QueryHelpers.AddQueryString("/oauth/authorize", new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = app.ClientId,
            ["redirect_uri"] = redirectUri ?? app.RedirectUri,
            ["scope"] = scope,
            ["state"] = state,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = challenge is null ? null : method,
        }.Where(p => p.Value is not null).ToDictionary());

    public static (string Token, string Request) FormFields(string html)
    {
        var token = AntiforgeryRegex().Match(html);
        var request = RequestRegex().Match(html);
        token.Success.ShouldBeTrue(html);
        request.Success.ShouldBeTrue(html);
        return (WebUtility.HtmlDecode(token.Groups[1].Value), WebUtility.HtmlDecode(request.Groups[1].Value));
    }

    /// <summary>GET authorize → sign-in form → POST → consent page (HTML).</summary>
    public async Task<string> SignInToConsentAsync(HttpClient browser, string authorizeUrl, SignedInMember member)
    {
        var page = await browser.GetAsync(authorizeUrl);
        page.StatusCode.ShouldBe(HttpStatusCode.OK, await page.Content.ReadAsStringAsync());
        var html = await page.Content.ReadAsStringAsync();
        html.ShouldContain("id=\"sign-in\"");
        var (token, request) = FormFields(html);
        var signIn = await browser.PostAsync("/oauth/authorize/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["request"] = request,
            ["organisation"] = member.TenantId.ToString(), ["email"] = member.Email, ["password"] = member.Password,
        }));
        signIn.StatusCode.ShouldBe(HttpStatusCode.SeeOther, await signIn.Content.ReadAsStringAsync());
        var consent = await browser.GetAsync(signIn.Headers.Location!.ToString());
        var consentHtml = await consent.Content.ReadAsStringAsync();
        consent.StatusCode.ShouldBe(HttpStatusCode.OK, consentHtml);
        consentHtml.ShouldContain("id=\"consent\"");
        return consentHtml;
    }

    public static async Task<HttpResponseMessage> PostConsentAsync(HttpClient browser, string consentHtml, string decision = "allow", string? tokenOverride = null, bool omitToken = false)
    {
        var (token, request) = FormFields(consentHtml);
        var fields = new Dictionary<string, string> { ["request"] = request, ["decision"] = decision };
        if (!omitToken) fields["__RequestVerificationToken"] = tokenOverride ?? token;
        return await browser.PostAsync("/oauth/authorize/consent", new FormUrlEncodedContent(fields));
    }

    /// <summary>The whole front channel: returns the code from the redirect (after checking state and iss).</summary>
    public async Task<string> AuthorizeAsync(RegisteredApp app, SignedInMember member, string? challenge, string scope = "events:read")
    {
        using var browser = Browser();
        var consent = await SignInToConsentAsync(browser, AuthorizeUrl(app, challenge, scope), member);
        var redirect = await PostConsentAsync(browser, consent);
        redirect.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        var location = redirect.Headers.Location!.ToString();
        location.ShouldStartWith(app.RedirectUri + "?");
        var query = QueryHelpers.ParseQuery(new Uri(location).Query);
        query["state"].ToString().ShouldBe("st-123");
        query["iss"].ToString().ShouldBe(Issuer);
        return query["code"].ToString();
    }

    public string Issuer => system.BaseAddress.ToString().TrimEnd('/');

    public async Task<TokenResponse> TokenAsync(RegisteredApp app, Dictionary<string, string> parameters, bool basic = true)
    {
        using var client = system.Client();
        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token");
        if (app.ClientSecret is not null && basic)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(app.ClientId) + ":" + Uri.EscapeDataString(app.ClientSecret))));
        else parameters["client_id"] = app.ClientId;
        request.Content = new FormUrlEncodedContent(parameters);
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.Headers.CacheControl?.NoStore.ShouldBeTrue();
        return new TokenResponse(response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    public Task<TokenResponse> ExchangeAsync(RegisteredApp app, string code, string? verifier, string? redirectUri = null)
    {
        var parameters = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirectUri ?? app.RedirectUri };
        if (verifier is not null) parameters["code_verifier"] = verifier;
        return TokenAsync(app, parameters);
    }

    public Task<TokenResponse> RefreshAsync(RegisteredApp app, string refreshToken, string? scope = null)
    {
        var parameters = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken };
        if (scope is not null) parameters["scope"] = scope;
        return TokenAsync(app, parameters);
    }

    /// <summary>POST to a form endpoint of the server (revoke, introspect, token) as the client: Basic when it has a secret, else client_id.</summary>
    public async Task<HttpResponseMessage> PostAsClientAsync(string path, RegisteredApp app, Dictionary<string, string> parameters)
    {
        using var client = system.Client();
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (app.ClientSecret is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(app.ClientId) + ":" + Uri.EscapeDataString(app.ClientSecret))));
        else parameters["client_id"] = app.ClientId;
        request.Content = new FormUrlEncodedContent(parameters);
        return await client.SendAsync(request);
    }

    public Task<HttpResponseMessage> RevokeAsync(RegisteredApp app, string token, string? hint = null)
    {
        var parameters = new Dictionary<string, string> { ["token"] = token };
        if (hint is not null) parameters["token_type_hint"] = hint;
        return PostAsClientAsync("/oauth/revoke", app, parameters);
    }

    public async Task<JsonElement> IntrospectAsync(RegisteredApp app, string token)
    {
        var response = await PostAsClientAsync("/oauth/introspect", app, new Dictionary<string, string> { ["token"] = token });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public Task<TokenResponse> ClientCredentialsAsync(RegisteredApp app, Guid? tenantId, string? scope = null)
    {
        var parameters = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (tenantId is not null) parameters["tenant_id"] = tenantId.Value.ToString();
        if (scope is not null) parameters["scope"] = scope;
        return TokenAsync(app, parameters);
    }

    /// <summary>A confidential app of <paramref name="owner"/> and a fresh token pair from one member's consent (no PKCE: honoured, not required).</summary>
    public async Task<(RegisteredApp App, SignedInMember Member, TokenResponse Tokens)> ConfidentialTokensAsync(TenantWithKey owner, string scope = "events:read",
        TenantWithKey? installer = null)
    {
        var app = await RegisterAppAsync(owner, "confidential", allowedTenantIds: installer is null ? null : [installer.TenantId]);
        var member = await CreateMemberAsync(installer ?? owner);
        var code = await AuthorizeAsync(app, member, challenge: null, scope);
        var tokens = await ExchangeAsync(app, code, verifier: null);
        tokens.Status.ShouldBe(HttpStatusCode.OK, tokens.Body.ToString());
        return (app, member, tokens);
    }

    /// <summary>An access token of a public app declaring <paramref name="appScopes"/>, consented to <paramref name="scope"/> by a new member.</summary>
    public async Task<string> ScopedTokenAsync(TenantWithKey tenant, string[] appScopes, string scope)
    {
        var app = await RegisterAppAsync(tenant, scopes: appScopes);
        var verifier = Verifier();
        var tokens = await ExchangeAsync(app, await AuthorizeAsync(app, await CreateMemberAsync(tenant), Challenge(verifier), scope), verifier);
        tokens.Status.ShouldBe(HttpStatusCode.OK, tokens.Body.ToString());
        return tokens.AccessToken;
    }

    /// <summary>Member + public app + the full flow: a fresh token pair.</summary>
    public async Task<(RegisteredApp App, SignedInMember Member, TokenResponse Tokens)> TokensAsync(TenantWithKey tenant, string scope = "events:read")
    {
        var app = await RegisterAppAsync(tenant);
        var member = await CreateMemberAsync(tenant);
        var verifier = Verifier();
        var code = await AuthorizeAsync(app, member, Challenge(verifier), scope);
        var tokens = await ExchangeAsync(app, code, verifier);
        tokens.Status.ShouldBe(HttpStatusCode.OK, tokens.Body.ToString());
        return (app, member, tokens);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryRegex();

    [GeneratedRegex("name=\"request\" value=\"([^\"]*)\"")]
    private static partial Regex RequestRegex();
}
