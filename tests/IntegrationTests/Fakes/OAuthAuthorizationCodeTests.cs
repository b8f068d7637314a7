using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;

namespace Integrations.IntegrationTests.Fakes;

/// <summary>
/// The generic OAuth provider fake's authorization code grant, through HTTP against its process:
/// RFC 6749 §4.1 with PKCE (RFC 7636), and the attacks the specs say to refuse.
/// </summary>
public sealed class OAuthAuthorizationCodeTests(OAuthProviderFixture fixture) : OAuthFakeTestBase(fixture), IClassFixture<OAuthProviderFixture>
{
    [Fact]
    public async Task The_full_code_flow_with_S256_PKCE_gives_tokens_that_reach_the_chosen_account()
    {
        var (verifier, challenge) = NewPkce();
        using var authorize = await AuthorizeAsync("st-1", ("code_challenge", challenge), ("code_challenge_method", "S256"),
            ("scope", "profile records:write"), ("account", "acme"));
        var redirect = RedirectParameters(authorize);
        redirect["state"].ShouldBe("st-1", "RFC 6749 §4.1.2: the state comes back unchanged");
        authorize.Headers.CacheControl!.NoStore.ShouldBeTrue();

        using var exchange = await ExchangeAsync(redirect["code"], verifier);
        var tokens = await TokensOf(exchange);
        tokens.RefreshToken.ShouldNotBeNullOrEmpty();
        tokens.ExpiresIn.ShouldBe(3600);
        tokens.Scope.ShouldBe("profile records:write");

        var me = await MeAsync(tokens.AccessToken);
        me.GetProperty("id").GetString().ShouldBe("acme");
        me.GetProperty("name").GetString().ShouldBe("Acme Corp");
        var stats = await Control.StatsAsync();
        stats.Requests("authorization_code").ShouldBe(1);
        stats.Successes("authorization_code").ShouldBe(1);
    }

    [Fact]
    public async Task Plain_PKCE_and_client_secret_post_work_too()
    {
        var verifier = new string('v', 43) + "-._~" + Guid.NewGuid().ToString("N");
        var code = await CodeAsync(("code_challenge", verifier), ("code_challenge_method", "plain"));
        using var exchange = await TokenAsync([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", OAuthProviderFixture.RedirectUri),
            ("code_verifier", verifier), ("client_id", OAuthProviderFixture.ClientId), ("client_secret", OAuthProviderFixture.ClientSecret)]);
        (await MeAsync((await TokensOf(exchange)).AccessToken)).GetProperty("id").GetString().ShouldBe("default");
    }

    [Fact]
    public async Task A_tampered_or_missing_verifier_is_invalid_grant_and_the_code_still_works_with_the_right_one()
    {
        var (verifier, challenge) = NewPkce();
        var code = await CodeAsync(("code_challenge", challenge), ("code_challenge_method", "S256"));
        var (otherVerifier, _) = NewPkce();

        foreach (var attempt in new[] { otherVerifier, verifier[..^1] + (verifier[^1] == 'A' ? 'B' : 'A'), challenge, "short", null })
        {
            using var refused = await ExchangeAsync(code, attempt);
            await ShouldBeOAuthError(refused, HttpStatusCode.BadRequest, "invalid_grant");
        }
        using var accepted = await ExchangeAsync(code, verifier);
        await TokensOf(accepted);
    }

    [Fact]
    public async Task A_verifier_for_a_code_requested_without_a_challenge_is_refused_as_a_downgrade()
    {
        var code = await CodeAsync();
        var (verifier, _) = NewPkce();
        using var refused = await ExchangeAsync(code, verifier);
        await ShouldBeOAuthError(refused, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task PKCE_required_refuses_a_request_without_challenge_and_an_unsupported_method_by_redirect()
    {
        await Control.SettingsAsync(new { pkce = "required", pkce_methods = new[] { "S256" } });

        using var withoutChallenge = await AuthorizeAsync("st-2");
        var error = RedirectParameters(withoutChallenge);
        error["error"].ShouldBe("invalid_request");
        error["error_description"].ShouldBe("code challenge required");
        error["state"].ShouldBe("st-2");

        using var plain = await AuthorizeAsync("st-3", ("code_challenge", new string('p', 50)), ("code_challenge_method", "plain"));
        RedirectParameters(plain)["error_description"].ShouldBe("transform algorithm not supported");
        using var unknownMethod = await AuthorizeAsync("st-4", ("code_challenge", NewPkce().Challenge), ("code_challenge_method", "S512"));
        RedirectParameters(unknownMethod)["error"].ShouldBe("invalid_request");
    }

    [Fact]
    public async Task PKCE_unsupported_ignores_challenge_and_verifier()
    {
        await Control.SettingsAsync(new { pkce = "unsupported" });
        var (_, challenge) = NewPkce();
        var code = await CodeAsync(("code_challenge", challenge), ("code_challenge_method", "S256"));
        using var exchange = await ExchangeAsync(code, "a-verifier-that-matches-nothing-but-is-long-enough-1234");
        await TokensOf(exchange);
    }

    [Fact]
    public async Task A_reused_code_is_invalid_grant_and_revokes_the_tokens_of_its_first_use()
    {
        var code = await CodeAsync();
        using var first = await ExchangeAsync(code, null);
        var tokens = await TokensOf(first);
        await MeAsync(tokens.AccessToken);

        using var second = await ExchangeAsync(code, null);
        await ShouldBeOAuthError(second, HttpStatusCode.BadRequest, "invalid_grant");
        // RFC 6749 §4.1.2: the tokens issued for the code are revoked.
        using var revoked = await GetWithTokenAsync("/api/me", tokens.AccessToken);
        ShouldBeInvalidToken(revoked);
        using var refresh = await RefreshAsync(tokens.RefreshToken!);
        await ShouldBeOAuthError(refresh, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task A_code_is_bound_to_its_redirect_uri_its_client_and_its_lifetime()
    {
        await Control.AddClientAsync("other-app", "other-secret", OAuthProviderFixture.RedirectUri);
        var code = await CodeAsync();

        using var wrongRedirect = await ExchangeAsync(code, null, redirectUri: OAuthProviderFixture.RedirectUri + "/evil");
        await ShouldBeOAuthError(wrongRedirect, HttpStatusCode.BadRequest, "invalid_grant");
        using var missingRedirect = await TokenAsync([("grant_type", "authorization_code"), ("code", code)], ClientBasic);
        await ShouldBeOAuthError(missingRedirect, HttpStatusCode.BadRequest, "invalid_grant");
        using var otherClient = await TokenAsync([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", OAuthProviderFixture.RedirectUri)],
            Basic("other-app", "other-secret"));
        await ShouldBeOAuthError(otherClient, HttpStatusCode.BadRequest, "invalid_grant");

        // RFC 6749 §4.1.2: codes are short-lived (ten minutes here).
        var expiring = await CodeAsync();
        await Control.AdvanceClockAsync(TimeSpan.FromMinutes(11));
        using var expired = await ExchangeAsync(expiring, null);
        await ShouldBeOAuthError(expired, HttpStatusCode.BadRequest, "invalid_grant");
        using var stillFine = await ExchangeAsync(code, null);
        await ShouldBeOAuthError(stillFine, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task An_unknown_client_or_an_unregistered_redirect_uri_is_shown_to_the_user_never_redirected()
    {
        foreach (var (clientId, redirectUri) in new[]
                 {
                     ("nobody", OAuthProviderFixture.RedirectUri), (OAuthProviderFixture.ClientId, "https://attacker.test/cb"),
                     (OAuthProviderFixture.ClientId, OAuthProviderFixture.RedirectUri + "#frag"), (null, OAuthProviderFixture.RedirectUri),
                 })
        {
            using var response = await AuthorizeAsync(("response_type", "code"), ("client_id", clientId), ("redirect_uri", redirectUri), ("state", "x"));
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, $"{clientId} {redirectUri}");
            response.Headers.Location.ShouldBeNull();
            (await response.Content.ReadAsStringAsync()).ShouldContain("Authorization failed");
        }
        // The only registered URI is used when the request names none (RFC 6749 §3.1.2.3).
        using var implied = await AuthorizeAsync(("response_type", "code"), ("client_id", OAuthProviderFixture.ClientId), ("state", "y"));
        RedirectParameters(implied).ShouldContainKey("code");
    }

    [Fact]
    public async Task Wrong_response_type_and_scope_come_back_as_redirect_errors_with_the_state()
    {
        using var token = await AuthorizeAsync(("response_type", "token"), ("client_id", OAuthProviderFixture.ClientId),
            ("redirect_uri", OAuthProviderFixture.RedirectUri), ("state", "st-5"));
        var error = RedirectParameters(token);
        (error["error"], error["state"]).ShouldBe(("unsupported_response_type", "st-5"));
        using var scope = await AuthorizeAsync("st-6", ("scope", "profile admin"));
        RedirectParameters(scope)["error"].ShouldBe("invalid_scope");
    }

    [Fact]
    public async Task The_consent_page_approves_for_the_account_typed_there_or_denies()
    {
        await Control.SettingsAsync(new { consent = "interactive" });
        using var page = await AuthorizeAsync("st-7");
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await page.Content.ReadAsStringAsync();
        html.ShouldContain("id=\"approve\"");
        html.ShouldContain("id=\"deny\"");
        var requestId = System.Text.RegularExpressions.Regex.Match(html, "name=\"request_id\" value=\"([^\"]+)\"").Groups[1].Value;

        using var approve = await Http.PostAsync("/oauth/authorize/decision",
            new FormUrlEncodedContent([new("request_id", requestId), new("decision", "approve"), new("account", "globex")]));
        var approved = RedirectParameters(approve);
        approved["state"].ShouldBe("st-7");
        using var exchange = await ExchangeAsync(approved["code"], null);
        (await MeAsync((await TokensOf(exchange)).AccessToken)).GetProperty("name").GetString().ShouldBe("Globex");

        using var again = await Http.PostAsync("/oauth/authorize/decision",
            new FormUrlEncodedContent([new("request_id", requestId), new("decision", "approve")]));
        again.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "a decision is taken once");

        using var second = await AuthorizeAsync("st-8");
        var secondId = System.Text.RegularExpressions.Regex.Match(await second.Content.ReadAsStringAsync(), "name=\"request_id\" value=\"([^\"]+)\"").Groups[1].Value;
        using var deny = await Http.PostAsync("/oauth/authorize/decision",
            new FormUrlEncodedContent([new("request_id", secondId), new("decision", "deny")]));
        var denied = RedirectParameters(deny);
        (denied["error"], denied["state"]).ShouldBe(("access_denied", "st-8"));
    }

    [Fact]
    public async Task Consent_denied_by_the_control_API_redirects_access_denied()
    {
        await Control.SettingsAsync(new { consent = "deny" });
        using var response = await AuthorizeAsync("st-9");
        var error = RedirectParameters(response);
        (error["error"], error["state"]).ShouldBe(("access_denied", "st-9"));
        error.ShouldNotContainKey("code");
    }

    [Fact]
    public async Task The_metadata_document_names_the_endpoints_and_what_they_support()
    {
        var metadata = await Http.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server");
        metadata.GetProperty("token_endpoint").GetString().ShouldBe(new Uri(Fake.BaseAddress, "/oauth/token").ToString());
        metadata.GetProperty("revocation_endpoint").GetString().ShouldEndWith("/oauth/revoke");
        metadata.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(m => m.GetString()).ShouldBe(["S256", "plain"]);
    }
}
