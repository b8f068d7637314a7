using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Shouldly;

namespace Integrations.IntegrationTests.Fakes;

/// <summary>One generic OAuth provider fake per test class; every test starts from a reset fake.</summary>
public sealed class OAuthProviderFixture : IAsyncLifetime
{
    public const string ClientId = "app";
    public const string ClientSecret = "app-secret";
    public const string RedirectUri = "https://platform.test/connect/callback/generic";

    public OAuthProviderFake Fake { get; private set; } = null!;

    public async Task InitializeAsync() => Fake = await OAuthProviderFake.StartAsync(
        $"--Client:Id={ClientId}", $"--Client:Secret={ClientSecret}", $"--Client:RedirectUris={RedirectUri}",
        "--OAuth:Consent=Approve", "--OAuth:Scopes=profile,records:read,records:write", "--OAuth:DefaultScope=profile",
        "--Accounts=acme=Acme Corp,globex=Globex");

    public async Task DisposeAsync() => await Fake.DisposeAsync();
}

/// <summary>
/// A client of the fake written from the RFCs, independent of the fake's code: it builds the requests
/// and reads the answers as RFC 6749, 7636, 7009 and 6750 describe them.
/// </summary>
public abstract class OAuthFakeTestBase(OAuthProviderFixture fixture) : IAsyncLifetime
{
    protected OAuthProviderFake Fake => fixture.Fake;

    protected OAuthFakeControl Control => fixture.Fake.Control;

    protected HttpClient Http { get; } = fixture.Fake.Process.CreateClient(TimeSpan.FromSeconds(20));

    public Task InitializeAsync() => Control.ResetAsync();

    public Task DisposeAsync()
    {
        Http.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>RFC 7636 §4.1–4.2: a 43-character verifier and its S256 challenge.</summary>
    protected static (string Verifier, string Challenge) NewPkce()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    protected static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>GET of the authorization endpoint with exactly these parameters.</summary>
    protected Task<HttpResponseMessage> AuthorizeAsync(params (string Name, string? Value)[] parameters) =>
        Http.GetAsync(QueryHelpers.AddQueryString("/oauth/authorize", parameters.Where(p => p.Value is not null).Select(p => KeyValuePair.Create(p.Name, p.Value))));

    /// <summary>The usual authorization request (code, client, redirect, state) plus <paramref name="extra"/>.</summary>
    protected Task<HttpResponseMessage> AuthorizeAsync(string state, params (string Name, string? Value)[] extra) =>
        AuthorizeAsync([("response_type", "code"), ("client_id", OAuthProviderFixture.ClientId),
            ("redirect_uri", OAuthProviderFixture.RedirectUri), ("state", state), .. extra]);

    /// <summary>The parameters of a 302 back to the client's redirection URI.</summary>
    protected static Dictionary<string, string> RedirectParameters(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.Found);
        var location = response.Headers.Location!.ToString();
        location.ShouldStartWith(OAuthProviderFixture.RedirectUri + "?");
        return QueryHelpers.ParseQuery(new Uri(location).Query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    /// <summary>An authorization code for the fixture's client, approved at once.</summary>
    protected async Task<string> CodeAsync(params (string Name, string? Value)[] extra)
    {
        using var response = await AuthorizeAsync("s-" + Guid.NewGuid().ToString("N"), extra);
        var parameters = RedirectParameters(response);
        parameters.ShouldContainKey("code", $"no code in {response.Headers.Location}");
        return parameters["code"];
    }

    /// <summary>RFC 6749 §2.3.1: HTTP Basic of the form-urlencoded client id and secret.</summary>
    protected static AuthenticationHeaderValue Basic(string clientId, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{FormEncode(clientId)}:{FormEncode(secret)}")));

    private static string FormEncode(string value) => Uri.EscapeDataString(value).Replace("%20", "+");

    /// <summary>A token endpoint call with this form, authenticated with <paramref name="basic"/> when given.</summary>
    protected async Task<HttpResponseMessage> TokenAsync(IEnumerable<(string Name, string Value)> form, AuthenticationHeaderValue? basic = null, string path = "/oauth/token")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(form.Select(f => KeyValuePair.Create(f.Name, f.Value))),
        };
        request.Headers.Authorization = basic;
        return await Http.SendAsync(request);
    }

    protected static AuthenticationHeaderValue ClientBasic => Basic(OAuthProviderFixture.ClientId, OAuthProviderFixture.ClientSecret);

    protected Task<HttpResponseMessage> ExchangeAsync(string code, string? verifier, string redirectUri = OAuthProviderFixture.RedirectUri) =>
        TokenAsync(new (string, string)[] { ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectUri) }
            .Concat(verifier is null ? [] : [("code_verifier", verifier)]), ClientBasic);

    protected Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        TokenAsync([("grant_type", "refresh_token"), ("refresh_token", refreshToken)], ClientBasic);

    /// <summary>A 200 token answer (RFC 6749 §5.1), checked for its required fields and no-store.</summary>
    protected static async Task<TokenAnswer> TokensOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        response.Headers.Pragma.ToString().ShouldBe("no-cache");
        var json = JsonDocument.Parse(body).RootElement;
        json.GetProperty("token_type").GetString()!.ShouldBe("Bearer", StringCompareShould.IgnoreCase);
        return new TokenAnswer(
            json.GetProperty("access_token").GetString()!,
            json.TryGetProperty("refresh_token", out var refresh) ? refresh.GetString() : null,
            json.GetProperty("expires_in").GetInt32(),
            json.TryGetProperty("scope", out var scope) ? scope.GetString() : null);
    }

    /// <summary>A full connection: PKCE S256 code flow for an account; returns the tokens.</summary>
    protected async Task<TokenAnswer> ConnectAsync(string? account = null, string? scope = null)
    {
        var (verifier, challenge) = NewPkce();
        var code = await CodeAsync(("code_challenge", challenge), ("code_challenge_method", "S256"), ("account", account), ("scope", scope));
        using var response = await ExchangeAsync(code, verifier);
        return await TokensOf(response);
    }

    protected Task<HttpResponseMessage> GetWithTokenAsync(string path, string? accessToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accessToken is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return Http.SendAsync(request);
    }

    /// <summary>The account a token reaches, by the health-check call; fails unless it is 200.</summary>
    protected async Task<JsonElement> MeAsync(string accessToken)
    {
        using var response = await GetWithTokenAsync("/api/me", accessToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>An RFC 6749 §5.2 error answer: the status, the error code, a description, never cached.</summary>
    protected static async Task ShouldBeOAuthError(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, body);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var json = JsonDocument.Parse(body).RootElement;
        json.GetProperty("error").GetString().ShouldBe(error, body);
        json.GetProperty("error_description").GetString().ShouldNotBeNullOrWhiteSpace();
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
    }

    /// <summary>RFC 6750 §3: 401 with a Bearer challenge naming invalid_token.</summary>
    protected static void ShouldBeInvalidToken(HttpResponseMessage response)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var challenge = response.Headers.WwwAuthenticate.ShouldHaveSingleItem();
        challenge.Scheme.ShouldBe("Bearer");
        challenge.Parameter!.ShouldContain("error=\"invalid_token\"");
        challenge.Parameter!.ShouldContain("realm=");
    }

    protected sealed record TokenAnswer(string AccessToken, string? RefreshToken, int ExpiresIn, string? Scope);
}
