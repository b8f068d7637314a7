using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Shouldly;

namespace Integrations.IntegrationTests.OAuth;

/// <summary>The authorization server through real HTTP: the happy path and every attack of issue 5.</summary>
public sealed class OAuthFlowTests(OAuthSystem system) : IClassFixture<OAuthSystem>
{
    private readonly OAuthHarness _oauth = new(system);

    [Fact]
    public async Task Discovery_publishes_the_rfc8414_metadata_and_the_jwks()
    {
        using var client = system.Client();
        var metadata = await client.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server");
        metadata.GetProperty("issuer").GetString().ShouldBe(_oauth.Issuer);
        metadata.GetProperty("token_endpoint").GetString().ShouldBe(_oauth.Issuer + "/oauth/token");
        metadata.GetProperty("revocation_endpoint").GetString().ShouldBe(_oauth.Issuer + "/oauth/revoke");
        metadata.GetProperty("introspection_endpoint").GetString().ShouldBe(_oauth.Issuer + "/oauth/introspect");
        metadata.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()).ShouldBe(["S256"]);
        metadata.GetProperty("response_types_supported").EnumerateArray().Select(e => e.GetString()).ShouldBe(["code"]);
        metadata.GetProperty("authorization_response_iss_parameter_supported").GetBoolean().ShouldBeTrue();
        var jwks = await client.GetFromJsonAsync<JsonElement>(metadata.GetProperty("jwks_uri").GetString());
        var key = jwks.GetProperty("keys")[0];
        key.GetProperty("kty").GetString().ShouldBe("EC");
        key.GetProperty("alg").GetString().ShouldBe("ES256");
        key.TryGetProperty("d", out _).ShouldBeFalse("the private key never leaves the server");
    }

    [Fact]
    public async Task Code_with_pkce_gives_tokens_that_call_the_api_and_refresh_rotates()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (app, _, tokens) = await _oauth.TokensAsync(tenant, "events:read");
        tokens.Body.GetProperty("token_type").GetString().ShouldBe("Bearer");
        tokens.Body.GetProperty("expires_in").GetInt32().ShouldBe(3600);
        tokens.Body.GetProperty("scope").GetString().ShouldBe("events:read");

        var api = system.Client(tokens.AccessToken);
        (await api.GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var refreshed = await _oauth.RefreshAsync(app, tokens.RefreshToken);
        refreshed.Status.ShouldBe(HttpStatusCode.OK, refreshed.Body.ToString());
        refreshed.RefreshToken.ShouldNotBe(tokens.RefreshToken);
        (await system.Client(refreshed.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK);
        // API keys keep working exactly as before next to tokens.
        (await tenant.Client.GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_missing_scope_is_403_insufficient_scope_with_the_challenge()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (_, _, tokens) = await _oauth.TokensAsync(tenant, "events:read");
        var api = system.Client(tokens.AccessToken);
        var write = await api.PostAsJsonAsync("/api/v1/events", new { event_type = "user.joined", data = new { user_id = "u1" } });
        write.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        write.Headers.WwwAuthenticate.ToString().ShouldContain("error=\"insufficient_scope\"");
        write.Headers.WwwAuthenticate.ToString().ShouldContain("scope=\"events:write\"");
        (await write.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString().ShouldBe("insufficient_scope");
        // The batch endpoint needs the same scope as the single one.
        var batch = await api.PostAsJsonAsync("/api/v1/events/batch", new { events = new[] { new { event_type = "user.joined", data = new { user_id = "u1" } } } });
        batch.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        batch.Headers.WwwAuthenticate.ToString().ShouldContain("scope=\"events:write\"");
        // (The OAuth flow itself records platform events for the tenant; only the published ones count here.)
        (await system.ScalarAsync<long>("select count(*) from events where tenant_id = @t and data->>'user_id' = 'u1'", ("t", tenant.TenantId))).ShouldBe(0);
        (await api.GetAsync($"/api/v1/tenants/{tenant.TenantId}/api-keys")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await api.PostAsync($"/api/v1/tenants/{tenant.TenantId}/api-keys", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_token_with_events_write_publishes_a_batch_for_its_own_tenant()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (_, _, tokens) = await _oauth.TokensAsync(tenant, "events:write");
        var response = await system.Client(tokens.AccessToken).PostAsJsonAsync("/api/v1/events/batch",
            new { events = new[] { new { event_type = "user.joined", data = new { user_id = "u1" } }, new { event_type = "user.joined", data = new { user_id = "u2" } } } });
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var ids = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()).ToArray();
        (await system.ScalarAsync<long>("select count(*) from events where tenant_id = @t and id = any(@ids) and data->>'user_id' in ('u1', 'u2')",
            ("t", tenant.TenantId), ("ids", ids))).ShouldBe(2);
    }

    [Fact]
    public async Task A_second_redemption_of_a_code_fails_and_revokes_the_tokens_of_the_first()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant);
        var member = await _oauth.CreateMemberAsync(tenant);
        var verifier = OAuthHarness.Verifier();
        var code = await _oauth.AuthorizeAsync(app, member, OAuthHarness.Challenge(verifier));
        var first = await _oauth.ExchangeAsync(app, code, verifier);
        first.Status.ShouldBe(HttpStatusCode.OK);

        var second = await _oauth.ExchangeAsync(app, code, verifier);
        second.Status.ShouldBe(HttpStatusCode.BadRequest);
        second.Error.ShouldBe("invalid_grant");
        var refused = await system.Client(first.AccessToken).GetAsync("/api/v1/events");
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        refused.Headers.WwwAuthenticate.ToString().ShouldContain("error=\"invalid_token\"");
        (await _oauth.RefreshAsync(app, first.RefreshToken)).Error.ShouldBe("invalid_grant");
    }

    [Fact]
    public async Task Reuse_of_a_rotated_refresh_token_revokes_the_whole_grant()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (app, _, tokens) = await _oauth.TokensAsync(tenant);
        var rotated = await _oauth.RefreshAsync(app, tokens.RefreshToken);
        rotated.Status.ShouldBe(HttpStatusCode.OK);

        var replay = await _oauth.RefreshAsync(app, tokens.RefreshToken);
        replay.Status.ShouldBe(HttpStatusCode.BadRequest);
        replay.Error.ShouldBe("invalid_grant");
        (await _oauth.RefreshAsync(app, rotated.RefreshToken)).Error.ShouldBe("invalid_grant");
        (await system.Client(rotated.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await system.Client(tokens.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Pkce_is_required_for_public_clients_plain_is_refused_and_a_wrong_verifier_fails()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant);
        using var browser = _oauth.Browser();

        var missing = await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, challenge: null));
        missing.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        var error = QueryHelpers.ParseQuery(missing.Headers.Location!.Query);
        error["error"].ToString().ShouldBe("invalid_request");
        error["state"].ToString().ShouldBe("st-123");
        error["iss"].ToString().ShouldBe(_oauth.Issuer);

        var verifier = OAuthHarness.Verifier();
        var plain = await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, verifier, method: "plain"));
        QueryHelpers.ParseQuery(plain.Headers.Location!.Query)["error"].ToString().ShouldBe("invalid_request");

        var member = await _oauth.CreateMemberAsync(tenant);
        var code = await _oauth.AuthorizeAsync(app, member, OAuthHarness.Challenge(verifier));
        var wrong = await _oauth.ExchangeAsync(app, code, OAuthHarness.Verifier());
        wrong.Error.ShouldBe("invalid_grant");
        var code2 = await _oauth.AuthorizeAsync(app, member, OAuthHarness.Challenge(verifier));
        (await _oauth.ExchangeAsync(app, code2, verifier: null)).Error.ShouldBe("invalid_grant");
    }

    [Fact]
    public async Task A_verifier_without_a_challenge_is_a_downgrade_and_is_refused()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant, clientType: "confidential");
        var member = await _oauth.CreateMemberAsync(tenant);
        var code = await _oauth.AuthorizeAsync(app, member, challenge: null);
        var downgraded = await _oauth.ExchangeAsync(app, code, OAuthHarness.Verifier());
        downgraded.Status.ShouldBe(HttpStatusCode.BadRequest);
        downgraded.Error.ShouldBe("invalid_grant");

        // Without a verifier the confidential client (PKCE optional for it) gets its tokens.
        var code2 = await _oauth.AuthorizeAsync(app, member, challenge: null);
        (await _oauth.ExchangeAsync(app, code2, verifier: null)).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("case")]
    [InlineData("trailing-slash")]
    [InlineData("other-path")]
    [InlineData("unknown-client")]
    public async Task A_redirect_uri_mismatch_or_unknown_client_shows_an_error_page_and_never_redirects(string variant)
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant, redirectUri: "http://127.0.0.1:9/cb");
        var (target, redirect) = variant switch
        {
            "case" => (app, "http://127.0.0.1:9/CB"),
            "trailing-slash" => (app, "http://127.0.0.1:9/cb/"),
            "other-path" => (app, "http://127.0.0.1:9/evil"),
            _ => (app with { ClientId = "app_unknown" }, "http://127.0.0.1:9/cb"),
        };
        using var browser = _oauth.Browser();
        var response = await browser.GetAsync(OAuthHarness.AuthorizeUrl(target, OAuthHarness.Challenge(OAuthHarness.Verifier()), redirectUri: redirect));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Headers.Location.ShouldBeNull();
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        (await response.Content.ReadAsStringAsync()).ShouldContain("id=\"error\"");
    }

    [Fact]
    public async Task The_redirect_uri_at_the_token_endpoint_must_match_the_authorization_request()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant);
        var member = await _oauth.CreateMemberAsync(tenant);
        var verifier = OAuthHarness.Verifier();
        var code = await _oauth.AuthorizeAsync(app, member, OAuthHarness.Challenge(verifier));
        (await _oauth.ExchangeAsync(app, code, verifier, app.RedirectUri + "/")).Error.ShouldBe("invalid_grant");
    }

    [Fact]
    public async Task Scope_cannot_escalate_on_authorize_or_on_refresh()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant, scopes: ["events:read", "events:write"]);
        using var browser = _oauth.Browser();
        var escalated = await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, OAuthHarness.Challenge(OAuthHarness.Verifier()), scope: "events:read webhooks:write"));
        escalated.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        QueryHelpers.ParseQuery(escalated.Headers.Location!.Query)["error"].ToString().ShouldBe("invalid_scope");

        var member = await _oauth.CreateMemberAsync(tenant);
        var verifier = OAuthHarness.Verifier();
        var code = await _oauth.AuthorizeAsync(app, member, OAuthHarness.Challenge(verifier), "events:read");
        var tokens = await _oauth.ExchangeAsync(app, code, verifier);
        var wider = await _oauth.RefreshAsync(app, tokens.RefreshToken, "events:read events:write");
        wider.Status.ShouldBe(HttpStatusCode.BadRequest);
        wider.Error.ShouldBe("invalid_scope");
    }

    [Fact]
    public async Task An_expired_code_is_refused()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant);
        var member = await _oauth.CreateMemberAsync(tenant);
        var verifier = OAuthHarness.Verifier();
        var code = await _oauth.AuthorizeAsync(app, member, OAuthHarness.Challenge(verifier));
        // Age the code past its 60-second lifetime (OAuth:AuthorizationCodeLifetime) instead of waiting.
        await system.ScalarAsync<object>("update oauth_codes set expires_at = now() - interval '1 second' where code_hash = @h returning 1",
            ("h", Application.OAuth.OpaqueSecret.Hash(code)));
        var expired = await _oauth.ExchangeAsync(app, code, verifier);
        expired.Status.ShouldBe(HttpStatusCode.BadRequest);
        expired.Error.ShouldBe("invalid_grant");
    }

    [Fact]
    public async Task A_token_of_one_tenant_cannot_reach_another_tenants_resources()
    {
        var tenantA = await system.CreateTenantWithKeyAsync();
        var tenantB = await system.CreateTenantWithKeyAsync();
        var created = await tenantB.Client.PostAsJsonAsync("/api/v1/events", new { event_type = "user.joined", data = new { user_id = "u1" } });
        created.StatusCode.ShouldBe(HttpStatusCode.Accepted, await created.Content.ReadAsStringAsync());
        var eventId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var (_, _, tokens) = await _oauth.TokensAsync(tenantA, "events:read");
        var api = system.Client(tokens.AccessToken);
        (await api.GetAsync($"/api/v1/events/{eventId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await api.GetAsync($"/api/v1/events?tenant_id={tenantB.TenantId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_consent_form_refuses_a_post_without_or_with_a_wrong_antiforgery_token()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant);
        var member = await _oauth.CreateMemberAsync(tenant);
        using var browser = _oauth.Browser();
        var consent = await _oauth.SignInToConsentAsync(browser, OAuthHarness.AuthorizeUrl(app, OAuthHarness.Challenge(OAuthHarness.Verifier())), member);

        var without = await OAuthHarness.PostConsentAsync(browser, consent, omitToken: true);
        without.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        without.Headers.Location.ShouldBeNull();
        var wrong = await OAuthHarness.PostConsentAsync(browser, consent, tokenOverride: "CfDJ8forged");
        wrong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        wrong.Headers.Location.ShouldBeNull();
        // A cross-site attacker has neither the session nor the antiforgery cookie.
        using var attacker = _oauth.Browser();
        (await OAuthHarness.PostConsentAsync(attacker, consent)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await system.ScalarAsync<long>("select count(*) from oauth_codes c join oauth_grants g on g.id = c.grant_id where g.app_id = @a", ("a", app.Id))).ShouldBe(0);
    }

    [Fact]
    public async Task Deny_redirects_with_access_denied_state_and_iss()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(tenant);
        var member = await _oauth.CreateMemberAsync(tenant);
        using var browser = _oauth.Browser();
        var consent = await _oauth.SignInToConsentAsync(browser, OAuthHarness.AuthorizeUrl(app, OAuthHarness.Challenge(OAuthHarness.Verifier())), member);
        var denied = await OAuthHarness.PostConsentAsync(browser, consent, "deny");
        denied.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        var query = QueryHelpers.ParseQuery(denied.Headers.Location!.Query);
        query["error"].ToString().ShouldBe("access_denied");
        query["state"].ToString().ShouldBe("st-123");
        query["iss"].ToString().ShouldBe(_oauth.Issuer);
    }

    [Fact]
    public async Task Revocation_and_disconnection_take_effect_at_once()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (app, _, tokens) = await _oauth.TokensAsync(tenant);
        using var client = system.Client();
        var revoke = await client.PostAsync("/oauth/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = tokens.RefreshToken, ["client_id"] = app.ClientId }));
        revoke.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await system.Client(tokens.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.PostAsync("/oauth/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "rt_unknown", ["client_id"] = app.ClientId })))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        var (app2, _, second) = await _oauth.TokensAsync(tenant);
        var installed = await tenant.Client.GetFromJsonAsync<JsonElement>("/api/v1/installed-apps");
        installed.GetProperty("data").EnumerateArray().Select(a => a.GetProperty("client_id").GetString()).ShouldContain(app2.ClientId);
        (await tenant.Client.DeleteAsync($"/api/v1/installed-apps/{app2.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await system.Client(second.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await _oauth.RefreshAsync(app2, second.RefreshToken)).Error.ShouldBe("invalid_grant");
    }

    [Fact]
    public async Task Introspection_is_for_confidential_clients_and_reports_inactive_tokens()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (publicApp, _, publicTokens) = await _oauth.TokensAsync(tenant);
        using var client = system.Client();
        var refused = await client.PostAsync("/oauth/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["token"] = publicTokens.AccessToken, ["client_id"] = publicApp.ClientId }));
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().ShouldBe("invalid_client");

        var app = await _oauth.RegisterAppAsync(tenant, clientType: "confidential");
        var member = await _oauth.CreateMemberAsync(tenant);
        var code = await _oauth.AuthorizeAsync(app, member, challenge: null);
        var tokens = await _oauth.ExchangeAsync(app, code, verifier: null);
        async Task<JsonElement> Introspect(string token)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/introspect")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{app.ClientId}:{app.ClientSecret}")));
            var response = await client.SendAsync(request);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
        var active = await Introspect(tokens.AccessToken);
        active.GetProperty("active").GetBoolean().ShouldBeTrue();
        active.GetProperty("client_id").GetString().ShouldBe(app.ClientId);
        active.GetProperty("sub").GetString().ShouldBe(member.MemberId.ToString());
        (await Introspect(tokens.RefreshToken)).GetProperty("active").GetBoolean().ShouldBeTrue();
        (await Introspect(publicTokens.AccessToken)).GetProperty("active").GetBoolean().ShouldBeFalse("another client's token");
        (await Introspect("garbage")).GetProperty("active").GetBoolean().ShouldBeFalse();

        var wrongSecret = await _oauth.TokenAsync(app with { ClientSecret = "cs_wrong" }, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.RefreshToken });
        wrongSecret.Status.ShouldBe(HttpStatusCode.Unauthorized);
        wrongSecret.Response.Headers.WwwAuthenticate.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Signing_key_rotation_keeps_earlier_tokens_valid_and_publishes_both_keys()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (_, _, before) = await _oauth.TokensAsync(tenant);
        var rotated = await system.Admin.PostAsync("/api/v1/admin/oauth/signing-keys/rotate", null);
        rotated.StatusCode.ShouldBe(HttpStatusCode.OK);
        var kid = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("kid").GetString();
        var jwks = await system.Client().GetFromJsonAsync<JsonElement>("/oauth/jwks");
        jwks.GetProperty("keys").GetArrayLength().ShouldBeGreaterThanOrEqualTo(2);
        jwks.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ShouldContain(kid);
        (await system.Client(before.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var (_, _, after) = await _oauth.TokensAsync(tenant);
        var header = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(after.AccessToken.Split('.')[0])).RootElement;
        header.GetProperty("kid").GetString().ShouldBe(kid);
        header.GetProperty("typ").GetString().ShouldBe("at+jwt");
    }

    [Fact]
    public async Task Concurrent_rotations_all_succeed_and_leave_exactly_one_current_key()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => system.Admin.PostAsync("/api/v1/admin/oauth/signing-keys/rotate", null)));

        answers.Select(a => a.StatusCode).ShouldAllBe(s => s == HttpStatusCode.OK, "the reliability suite's fuzzer once got a 500 here");
        var kids = new List<string?>();
        foreach (var a in answers) kids.Add((await a.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("kid").GetString());
        var (_, _, after) = await _oauth.TokensAsync(tenant);
        var header = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(after.AccessToken.Split('.')[0])).RootElement;
        kids.ShouldContain(header.GetProperty("kid").GetString(), "tokens are signed with the key of the last rotation");
        (await system.Client(after.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Members_are_invited_accepted_listed_and_removed_with_platform_events()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var member = await _oauth.CreateMemberAsync(tenant);
        var listed = await tenant.Client.GetFromJsonAsync<JsonElement>("/api/v1/members");
        listed.GetProperty("data").EnumerateArray().Single().GetProperty("status").GetString().ShouldBe("active");
        (await tenant.Client.DeleteAsync($"/api/v1/members/{member.MemberId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var events = await tenant.Client.GetFromJsonAsync<JsonElement>("/api/v1/events?limit=10");
        var types = events.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("event_type").GetString()).ToList();
        types.ShouldContain("user.invited");
        types.ShouldContain("user.joined");
        types.ShouldContain("user.removed");
        events.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("data").GetRawText()).ShouldAllBe(d => !d.Contains(member.Email));

        // A removed member cannot sign in any more.
        var app = await _oauth.RegisterAppAsync(tenant);
        using var browser = _oauth.Browser();
        var page = await (await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, OAuthHarness.Challenge(OAuthHarness.Verifier())))).Content.ReadAsStringAsync();
        var (token, request) = OAuthHarness.FormFields(page);
        var signIn = await browser.PostAsync("/oauth/authorize/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["request"] = request,
            ["organisation"] = tenant.TenantId.ToString(), ["email"] = member.Email, ["password"] = member.Password,
        }));
        signIn.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_address_already_invited_or_active_is_a_conflict_in_any_case_and_free_again_once_removed()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var active = await _oauth.CreateMemberAsync(tenant);
        var invited = await tenant.Client.PostAsJsonAsync("/api/v1/members", new { email = "Pending@Example.com", role = "member" });
        invited.StatusCode.ShouldBe(HttpStatusCode.Created);
        var pendingId = (await invited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("member").GetProperty("id").GetGuid();

        foreach (var email in new[] { active.Email.ToUpperInvariant(), "pending@example.com" })
        {
            var again = await tenant.Client.PostAsJsonAsync("/api/v1/members", new { email, role = "member" });
            again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
            (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString().ShouldBe("member_exists");
        }
        (await tenant.Client.GetFromJsonAsync<JsonElement>("/api/v1/members")).GetProperty("data").GetArrayLength().ShouldBe(2);

        // Another organisation may invite the same address.
        var other = await system.CreateTenantWithKeyAsync();
        (await other.Client.PostAsJsonAsync("/api/v1/members", new { email = "pending@example.com", role = "member" })).StatusCode.ShouldBe(HttpStatusCode.Created);

        (await tenant.Client.DeleteAsync($"/api/v1/members/{pendingId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await tenant.Client.PostAsJsonAsync("/api/v1/members", new { email = "pending@example.com", role = "member" })).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task An_invitation_is_accepted_on_the_html_page_with_an_antiforgery_protected_form()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var invited = await tenant.Client.PostAsJsonAsync("/api/v1/members", new { email = "page@example.com", role = "member" });
        var invitation = (await invited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("invitation_token").GetString()!;
        using var browser = _oauth.Browser();
        var page = await (await browser.GetAsync("/oauth/invitations/accept?token=" + Uri.EscapeDataString(invitation))).Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

        var forged = await browser.PostAsync("/oauth/invitations/accept", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["token"] = invitation, ["password"] = OAuthHarness.Password }));
        forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var accepted = await browser.PostAsync("/oauth/invitations/accept", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["__RequestVerificationToken"] = System.Net.WebUtility.HtmlDecode(token), ["token"] = invitation, ["password"] = OAuthHarness.Password }));
        accepted.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await accepted.Content.ReadAsStringAsync()).ShouldContain(tenant.TenantId.ToString());
        var members = await tenant.Client.GetFromJsonAsync<JsonElement>("/api/v1/members");
        members.GetProperty("data")[0].GetProperty("status").GetString().ShouldBe("active");
    }

    [Fact]
    public async Task A_private_app_is_not_installable_by_an_unlisted_organisation_until_approved()
    {
        var developer = await system.CreateTenantWithKeyAsync();
        var customer = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(developer);
        var member = await _oauth.CreateMemberAsync(customer);
        using (var browser = _oauth.Browser())
        {
            var page = await (await browser.GetAsync(OAuthHarness.AuthorizeUrl(app, OAuthHarness.Challenge(OAuthHarness.Verifier())))).Content.ReadAsStringAsync();
            var (token, request) = OAuthHarness.FormFields(page);
            var signIn = await browser.PostAsync("/oauth/authorize/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["request"] = request,
                ["organisation"] = customer.TenantId.ToString(), ["email"] = member.Email, ["password"] = member.Password,
            }));
            var denied = await browser.GetAsync(signIn.Headers.Location!.ToString());
            denied.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
            QueryHelpers.ParseQuery(denied.Headers.Location!.Query)["error"].ToString().ShouldBe("access_denied");
        }

        (await developer.Client.PostAsync($"/api/v1/apps/{app.Id}/submit", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await system.Admin.PostAsync($"/api/v1/admin/apps/{app.Id}/approve", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var marketplace = await system.Client().GetFromJsonAsync<JsonElement>("/api/v1/marketplace/apps");
        marketplace.GetProperty("data").EnumerateArray().Select(a => a.GetProperty("client_id").GetString()).ShouldContain(app.ClientId);
        var detail = await system.Client().GetAsync($"/marketplace/apps/{app.ClientId}");
        detail.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await detail.Content.ReadAsStringAsync()).ShouldContain("events:read");
        var verifier = OAuthHarness.Verifier();
        var code = await _oauth.AuthorizeAsync(app, member, OAuthHarness.Challenge(verifier));
        (await _oauth.ExchangeAsync(app, code, verifier)).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task App_registration_refuses_unsafe_redirect_uris_and_unknown_scopes()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        foreach (var (redirect, scope) in new[] { ("http://example.com/cb", "events:read"), ("https://example.com/cb#x", "events:read"), ("https://example.com/cb", "admin:all") })
        {
            var response = await tenant.Client.PostAsJsonAsync("/api/v1/apps", new { name = "x", redirect_uris = new[] { redirect }, scopes = new[] { scope }, client_type = "public" });
            response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, redirect + " " + scope);
        }
    }
}
