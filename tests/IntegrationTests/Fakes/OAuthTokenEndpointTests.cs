using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Shouldly;

namespace Integrations.IntegrationTests.Fakes;

/// <summary>
/// The fake's token endpoint outside the happy path: client authentication (RFC 6749 §2.3.1, §5.2),
/// grant types, and the client credentials grant (§4.4).
/// </summary>
public sealed class OAuthTokenEndpointTests(OAuthProviderFixture fixture) : OAuthFakeTestBase(fixture), IClassFixture<OAuthProviderFixture>
{
    [Fact]
    public async Task A_wrong_secret_by_basic_is_401_invalid_client_with_a_Basic_challenge_and_the_code_survives()
    {
        var code = await CodeAsync();
        var form = new[] { ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", OAuthProviderFixture.RedirectUri) };

        foreach (var wrong in new[] { Basic(OAuthProviderFixture.ClientId, "wrong"), Basic("nobody", OAuthProviderFixture.ClientSecret),
                     new AuthenticationHeaderValue("Basic", "not base64!"), new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("no-colon"))) })
        {
            using var refused = await TokenAsync(form, wrong);
            await ShouldBeOAuthError(refused, HttpStatusCode.Unauthorized, "invalid_client");
            refused.Headers.WwwAuthenticate.ShouldHaveSingleItem().Scheme.ShouldBe("Basic");
        }
        using var accepted = await TokenAsync(form, ClientBasic);
        await TokensOf(accepted);
    }

    [Fact]
    public async Task A_wrong_secret_in_the_body_is_400_invalid_client_and_a_confidential_client_must_authenticate()
    {
        var code = await CodeAsync();
        using var wrong = await TokenAsync([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", OAuthProviderFixture.RedirectUri),
            ("client_id", OAuthProviderFixture.ClientId), ("client_secret", "wrong")]);
        await ShouldBeOAuthError(wrong, HttpStatusCode.BadRequest, "invalid_client");

        using var unauthenticated = await TokenAsync([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", OAuthProviderFixture.RedirectUri),
            ("client_id", OAuthProviderFixture.ClientId)]);
        await ShouldBeOAuthError(unauthenticated, HttpStatusCode.Unauthorized, "invalid_client");

        using var nobody = await TokenAsync([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", OAuthProviderFixture.RedirectUri)]);
        await ShouldBeOAuthError(nobody, HttpStatusCode.BadRequest, "invalid_client");
    }

    [Fact]
    public async Task Two_authentication_methods_at_once_are_invalid_request_and_a_method_the_provider_lacks_is_invalid_client()
    {
        var code = await CodeAsync();
        using var both = await TokenAsync([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", OAuthProviderFixture.RedirectUri),
            ("client_id", OAuthProviderFixture.ClientId), ("client_secret", OAuthProviderFixture.ClientSecret)], ClientBasic);
        await ShouldBeOAuthError(both, HttpStatusCode.BadRequest, "invalid_request");

        await Control.SettingsAsync(new { client_auth_methods = new[] { "client_secret_post" } });
        using var basic = await TokenAsync([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", OAuthProviderFixture.RedirectUri)], ClientBasic);
        await ShouldBeOAuthError(basic, HttpStatusCode.Unauthorized, "invalid_client");

        await Control.SettingsAsync(new { client_auth_methods = new[] { "client_secret_basic" } });
        using var post = await TokenAsync([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", OAuthProviderFixture.RedirectUri),
            ("client_id", OAuthProviderFixture.ClientId), ("client_secret", OAuthProviderFixture.ClientSecret)]);
        await ShouldBeOAuthError(post, HttpStatusCode.BadRequest, "invalid_client");
    }

    [Fact]
    public async Task Basic_credentials_are_form_urlencoded_before_base64()
    {
        const string secret = "s:e/c+r%t é";
        await Control.AddClientAsync("client with space", secret, OAuthProviderFixture.RedirectUri);
        using var granted = await TokenAsync([("grant_type", "client_credentials")], Basic("client with space", secret));
        await TokensOf(granted);
        var raw = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("client with space:" + secret)));
        using var notEncoded = await TokenAsync([("grant_type", "client_credentials")], raw);
        await ShouldBeOAuthError(notEncoded, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task Grant_type_problems_and_malformed_requests_get_their_RFC_errors()
    {
        using var unsupported = await TokenAsync([("grant_type", "password"), ("username", "u"), ("password", "p")], ClientBasic);
        await ShouldBeOAuthError(unsupported, HttpStatusCode.BadRequest, "unsupported_grant_type");
        using var missing = await TokenAsync([("code", "x")], ClientBasic);
        await ShouldBeOAuthError(missing, HttpStatusCode.BadRequest, "invalid_request");
        using var noCode = await TokenAsync([("grant_type", "authorization_code")], ClientBasic);
        await ShouldBeOAuthError(noCode, HttpStatusCode.BadRequest, "invalid_request");
        using var unknownCode = await TokenAsync([("grant_type", "authorization_code"), ("code", "code_forged"), ("redirect_uri", OAuthProviderFixture.RedirectUri)], ClientBasic);
        await ShouldBeOAuthError(unknownCode, HttpStatusCode.BadRequest, "invalid_grant");
        using var repeated = await TokenAsync([("grant_type", "client_credentials"), ("scope", "profile"), ("scope", "records:write")], ClientBasic);
        await ShouldBeOAuthError(repeated, HttpStatusCode.BadRequest, "invalid_request");

        using var json = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new StringContent("""{"grant_type":"client_credentials"}""", Encoding.UTF8, "application/json"),
        };
        json.Headers.Authorization = ClientBasic;
        using var notAForm = await Http.SendAsync(json);
        await ShouldBeOAuthError(notAForm, HttpStatusCode.BadRequest, "invalid_request");

        var stats = await Control.StatsAsync();
        stats.Requests("password").ShouldBe(1);
        stats.Requests("authorization_code").ShouldBe(2);
        stats.Successes("authorization_code").ShouldBe(0);
    }

    [Fact]
    public async Task Client_credentials_give_an_access_token_without_refresh_token_for_confidential_clients_only()
    {
        using var granted = await TokenAsync([("grant_type", "client_credentials"), ("scope", "records:read"), ("account", "globex")], ClientBasic);
        var tokens = await TokensOf(granted);
        tokens.RefreshToken.ShouldBeNull("RFC 6749 §4.4.3");
        tokens.Scope.ShouldBe("records:read");
        (await MeAsync(tokens.AccessToken)).GetProperty("id").GetString().ShouldBe("globex");

        using var badScope = await TokenAsync([("grant_type", "client_credentials"), ("scope", "root")], ClientBasic);
        await ShouldBeOAuthError(badScope, HttpStatusCode.BadRequest, "invalid_scope");

        await Control.AddClientAsync("spa", null, OAuthProviderFixture.RedirectUri);
        using var publicClient = await TokenAsync([("grant_type", "client_credentials"), ("client_id", "spa")]);
        await ShouldBeOAuthError(publicClient, HttpStatusCode.BadRequest, "unauthorized_client");
        (await Control.StatsAsync()).Successes("client_credentials").ShouldBe(1);
    }

    [Fact]
    public async Task A_public_client_exchanges_its_code_with_PKCE_and_its_client_id_alone()
    {
        await Control.AddClientAsync("spa", null, OAuthProviderFixture.RedirectUri);
        var (verifier, challenge) = NewPkce();
        using var authorize = await AuthorizeAsync(("response_type", "code"), ("client_id", "spa"), ("code_challenge", challenge), ("code_challenge_method", "S256"));
        var code = RedirectParameters(authorize)["code"];
        using var exchange = await TokenAsync([("grant_type", "authorization_code"), ("code", code), ("client_id", "spa"), ("code_verifier", verifier)]);
        await TokensOf(exchange);
    }
}
