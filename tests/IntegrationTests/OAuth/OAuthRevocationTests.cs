using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;

namespace Integrations.IntegrationTests.OAuth;

/// <summary>RFC 7009 over real HTTP: who may revoke what, and what the answer reveals.</summary>
public sealed class OAuthRevocationTests(OAuthSystem system) : IClassFixture<OAuthSystem>
{
    private readonly OAuthHarness _oauth = new(system);

    private static async Task<string> ErrorOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;

    [Fact]
    public async Task Another_clients_token_is_refused_and_stays_valid()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var otherTenant = await system.CreateTenantWithKeyAsync();
        var (victim, _, victimTokens) = await _oauth.TokensAsync(tenant, "events:read");
        var (otherTenantApp, _, otherTenantTokens) = await _oauth.TokensAsync(otherTenant, "events:read");
        var confidential = await _oauth.RegisterAppAsync(tenant, "confidential");
        var publicAttacker = await _oauth.RegisterAppAsync(tenant);

        // RFC 7009 §2.1: the token was not issued to the requesting client → refused, nothing revoked.
        foreach (var (attacker, token) in new[]
                 {
                     (confidential, victimTokens.AccessToken), (confidential, victimTokens.RefreshToken),
                     (publicAttacker, victimTokens.AccessToken), (publicAttacker, victimTokens.RefreshToken),
                     (confidential, otherTenantTokens.AccessToken), (publicAttacker, otherTenantTokens.RefreshToken),
                 })
        {
            var refused = await _oauth.RevokeAsync(attacker, token);
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await ErrorOf(refused)).ShouldBe("unauthorized_client");
            refused.Headers.CacheControl!.NoStore.ShouldBeTrue();
        }

        (await system.Client(victimTokens.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await system.Client(otherTenantTokens.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await system.ScalarAsync<long>("select count(*) from oauth_grants g join oauth_apps a on a.id = g.app_id where a.client_id = any(@c) and g.revoked_at is not null",
            ("c", new[] { victim.ClientId, otherTenantApp.ClientId }))).ShouldBe(0);
        // The refresh token still rotates: it was neither revoked nor marked used.
        (await _oauth.RefreshAsync(victim, victimTokens.RefreshToken)).Status.ShouldBe(HttpStatusCode.OK);
        (await _oauth.RefreshAsync(otherTenantApp, otherTenantTokens.RefreshToken)).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_confidential_client_must_authenticate_to_revoke()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (app, _, tokens) = await _oauth.ConfidentialTokensAsync(tenant);

        var withoutSecret = await _oauth.RevokeAsync(app with { ClientSecret = null }, tokens.AccessToken);
        withoutSecret.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await ErrorOf(withoutSecret)).ShouldBe("invalid_client");
        withoutSecret.Headers.WwwAuthenticate.ShouldNotBeEmpty();
        var wrongSecret = await _oauth.RevokeAsync(app with { ClientSecret = "cs_wrong" }, tokens.RefreshToken);
        wrongSecret.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await ErrorOf(wrongSecret)).ShouldBe("invalid_client");
        var unknownClient = await _oauth.RevokeAsync(app with { ClientId = "app_unknown", ClientSecret = null }, tokens.AccessToken);
        unknownClient.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        (await system.Client(tokens.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _oauth.IntrospectAsync(app, tokens.RefreshToken)).GetProperty("active").GetBoolean().ShouldBeTrue();

        // Authenticated, it works: the grant is revoked, so both tokens die.
        (await _oauth.RevokeAsync(app, tokens.AccessToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await system.Client(tokens.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await _oauth.IntrospectAsync(app, tokens.RefreshToken)).GetProperty("active").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task Unknown_expired_or_already_revoked_tokens_get_200_and_a_missing_token_is_invalid_request()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (app, _, tokens) = await _oauth.ConfidentialTokensAsync(tenant);
        foreach (var token in new[] { "rt_unknown", "garbage", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln" })
        {
            var answer = await _oauth.RevokeAsync(app, token);
            answer.StatusCode.ShouldBe(HttpStatusCode.OK, token);
            (await answer.Content.ReadAsStringAsync()).ShouldBeEmpty();
        }
        (await system.Client(tokens.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK, "unrelated revocations change nothing");

        (await _oauth.RevokeAsync(app, tokens.RefreshToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _oauth.RevokeAsync(app, tokens.RefreshToken)).StatusCode.ShouldBe(HttpStatusCode.OK, "revoking twice is not an error");

        var missing = await _oauth.PostAsClientAsync("/oauth/revoke", app, new Dictionary<string, string>());
        missing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ErrorOf(missing)).ShouldBe("invalid_request");
    }

    [Theory]
    [InlineData("access", "refresh_token")]
    [InlineData("refresh", "access_token")]
    [InlineData("access", "id_token")]
    public async Task A_wrong_or_unknown_token_type_hint_still_revokes(string which, string hint)
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (app, _, tokens) = await _oauth.TokensAsync(tenant);
        // RFC 7009 §2.1: the hint only speeds up the lookup; the server searches every type anyway.
        var revoked = await _oauth.RevokeAsync(app, which == "access" ? tokens.AccessToken : tokens.RefreshToken, hint);
        revoked.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await system.Client(tokens.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await _oauth.RefreshAsync(app, tokens.RefreshToken)).Error.ShouldBe("invalid_grant");
    }
}
