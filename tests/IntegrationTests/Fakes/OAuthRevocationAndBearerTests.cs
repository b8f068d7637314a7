using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shouldly;

namespace Integrations.IntegrationTests.Fakes;

/// <summary>
/// Revocation (RFC 7009), bearer token use at the API (RFC 6750), the API-key and Basic modes, and
/// accounts kept apart.
/// </summary>
public sealed class OAuthRevocationAndBearerTests(OAuthProviderFixture fixture) : OAuthFakeTestBase(fixture), IClassFixture<OAuthProviderFixture>
{
    private Task<HttpResponseMessage> RevokeAsync(string token, AuthenticationHeaderValue? client = null, string? hint = null) =>
        TokenAsync(new[] { ("token", token) }.Concat(hint is null ? [] : [("token_type_hint", hint)]), client ?? ClientBasic, "/oauth/revoke");

    [Fact]
    public async Task Revoking_the_refresh_token_ends_the_grant_and_its_access_tokens()
    {
        var tokens = await ConnectAsync();
        using var revoked = await RevokeAsync(tokens.RefreshToken!, hint: "refresh_token");
        revoked.StatusCode.ShouldBe(HttpStatusCode.OK);

        using var refresh = await RefreshAsync(tokens.RefreshToken!);
        await ShouldBeOAuthError(refresh, HttpStatusCode.BadRequest, "invalid_grant");
        using var me = await GetWithTokenAsync("/api/me", tokens.AccessToken);
        ShouldBeInvalidToken(me);
    }

    [Fact]
    public async Task Revoking_an_access_token_ends_only_that_token_unless_the_provider_revokes_the_grant()
    {
        var tokens = await ConnectAsync();
        // A wrong hint is ignored (RFC 7009 §2.1).
        using var revoked = await RevokeAsync(tokens.AccessToken, hint: "refresh_token");
        revoked.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var me = await GetWithTokenAsync("/api/me", tokens.AccessToken);
        ShouldBeInvalidToken(me);
        using var refresh = await RefreshAsync(tokens.RefreshToken!);
        var refreshed = await TokensOf(refresh);

        await Control.SettingsAsync(new { revoking_access_token_revokes_grant = true });
        using var again = await RevokeAsync(refreshed.AccessToken);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var dead = await RefreshAsync(tokens.RefreshToken!);
        await ShouldBeOAuthError(dead, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Revocation_needs_the_owning_authenticated_client_and_an_unknown_token_is_200()
    {
        await Control.AddClientAsync("other-app", "other-secret", OAuthProviderFixture.RedirectUri);
        var tokens = await ConnectAsync();

        using var stranger = await RevokeAsync(tokens.RefreshToken!, Basic("other-app", "other-secret"));
        await ShouldBeOAuthError(stranger, HttpStatusCode.BadRequest, "unauthorized_client");
        using var badSecret = await RevokeAsync(tokens.RefreshToken!, Basic(OAuthProviderFixture.ClientId, "wrong"));
        await ShouldBeOAuthError(badSecret, HttpStatusCode.Unauthorized, "invalid_client");
        using var stillAlive = await RefreshAsync(tokens.RefreshToken!);
        await TokensOf(stillAlive);

        using var unknown = await RevokeAsync("rt_never_issued");
        unknown.StatusCode.ShouldBe(HttpStatusCode.OK, "RFC 7009 §2.2: an invalid token is not an error");
        using var missing = await TokenAsync([("token_type_hint", "access_token")], ClientBasic, "/oauth/revoke");
        await ShouldBeOAuthError(missing, HttpStatusCode.BadRequest, "invalid_request");
        (await Control.StatsAsync()).RevocationRequests.ShouldBe(4);
    }

    [Fact]
    public async Task An_expired_or_provider_revoked_token_is_401_with_the_RFC_6750_challenge()
    {
        var acme = await ConnectAsync("acme");
        var globex = await ConnectAsync("globex");
        (await Control.ExpireAccessTokensAsync(account: "acme")).ShouldBe(1);

        using var expired = await GetWithTokenAsync("/api/me", acme.AccessToken);
        ShouldBeInvalidToken(expired);
        expired.Headers.WwwAuthenticate.Single().Parameter!.ShouldContain("expired");
        (await expired.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().ShouldBe("invalid_token");
        await MeAsync(globex.AccessToken);

        (await Control.RevokeGrantsAsync(account: "globex")).ShouldBe(1);
        using var revoked = await GetWithTokenAsync("/api/me", globex.AccessToken);
        ShouldBeInvalidToken(revoked);
        using var refresh = await RefreshAsync(globex.RefreshToken!);
        await ShouldBeOAuthError(refresh, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task No_credentials_get_a_bare_challenge_and_a_malformed_token_is_400_invalid_request()
    {
        using var none = await GetWithTokenAsync("/api/me", null);
        none.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        // RFC 6750 §3.1: without authentication the challenge carries no error code.
        var challenge = none.Headers.WwwAuthenticate.ShouldHaveSingleItem();
        challenge.Scheme.ShouldBe("Bearer");
        challenge.Parameter!.ShouldNotContain("error=");

        using var malformed = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        malformed.Headers.TryAddWithoutValidation("Authorization", "Bearer not a token");
        using var answer = await Http.SendAsync(malformed);
        answer.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        answer.Headers.WwwAuthenticate.Single().Parameter!.ShouldContain("error=\"invalid_request\"");

        using var forged = await GetWithTokenAsync("/api/records", "at_forged");
        ShouldBeInvalidToken(forged);
    }

    [Fact]
    public async Task Records_are_kept_per_account_and_answered_as_JSON()
    {
        var acme = await ConnectAsync("acme");
        var globex = await ConnectAsync("globex");
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/records") { Content = JsonContent.Create(new { name = "Deal", amount = 10, tags = new { a = 1, b = 2 } }) };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", acme.AccessToken);
        using var created = await Http.SendAsync(create);
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        created.Headers.Location!.ToString().ShouldBe($"/api/records/{id}");

        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/records/{id}")
        {
            Content = new StringContent("""{"amount":12,"tags":{"a":null,"c":3}}""", Encoding.UTF8, "application/json"),
        };
        patch.Headers.Authorization = new AuthenticationHeaderValue("Bearer", acme.AccessToken);
        using var patched = await Http.SendAsync(patch);
        var record = await patched.Content.ReadFromJsonAsync<JsonElement>();
        record.GetProperty("amount").GetInt32().ShouldBe(12);
        record.GetProperty("tags").GetRawText().ShouldBe("""{"b":2,"c":3}""");

        using var otherAccount = await GetWithTokenAsync($"/api/records/{id}", globex.AccessToken);
        otherAccount.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var list = await GetWithTokenAsync("/api/records", globex.AccessToken);
        (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetArrayLength().ShouldBe(0);

        using var notJson = new HttpRequestMessage(HttpMethod.Put, $"/api/records/{id}") { Content = new StringContent("[1,2]", Encoding.UTF8, "application/json") };
        notJson.Headers.Authorization = new AuthenticationHeaderValue("Bearer", acme.AccessToken);
        using var refused = await Http.SendAsync(notJson);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var recorded = await Control.RequestsAsync("/api/records", "POST");
        recorded.ShouldHaveSingleItem().Body.ShouldContain("\"Deal\"");
        recorded[0].Headers["authorization"].ShouldBe("Bearer " + acme.AccessToken);
    }

    [Fact]
    public async Task API_key_mode_takes_the_key_as_bearer_or_in_its_header()
    {
        await Control.SetAuthModeAsync("api_key", "X-Api-Token");
        await Control.AddApiKeyAsync("key-acme-1", "acme");

        (await MeAsync("key-acme-1")).GetProperty("id").GetString().ShouldBe("acme");
        using var byHeader = new HttpRequestMessage(HttpMethod.Get, "/api/me") { Headers = { { "X-Api-Token", "key-acme-1" } } };
        using var viaHeader = await Http.SendAsync(byHeader);
        viaHeader.StatusCode.ShouldBe(HttpStatusCode.OK);

        using var wrong = await GetWithTokenAsync("/api/me", "key-wrong");
        ShouldBeInvalidToken(wrong);
        var oauthToken = await ConnectAsync();
        using var notAKey = await GetWithTokenAsync("/api/me", oauthToken.AccessToken);
        ShouldBeInvalidToken(notAKey);

        await Control.RemoveApiKeyAsync("key-acme-1");
        using var removed = await GetWithTokenAsync("/api/me", "key-acme-1");
        ShouldBeInvalidToken(removed);
    }

    [Fact]
    public async Task Basic_mode_takes_a_user_and_password_and_challenges_with_Basic()
    {
        await Control.SetAuthModeAsync("basic");
        await Control.AddBasicUserAsync("jira@acme.test", "api-token:with-colon", "acme");

        async Task<HttpResponseMessage> CallAs(string user, string password)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
            return await Http.SendAsync(request);
        }
        using var ok = await CallAs("jira@acme.test", "api-token:with-colon");
        (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString().ShouldBe("acme");
        using var wrong = await CallAs("jira@acme.test", "api-token");
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        wrong.Headers.WwwAuthenticate.ShouldHaveSingleItem().Scheme.ShouldBe("Basic");
        using var bearer = await GetWithTokenAsync("/api/me", "anything");
        bearer.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        bearer.Headers.WwwAuthenticate.ShouldHaveSingleItem().Scheme.ShouldBe("Basic");
    }
}
