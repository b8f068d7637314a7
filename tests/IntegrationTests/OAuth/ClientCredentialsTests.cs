using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;

namespace Integrations.IntegrationTests.OAuth;

/// <summary>The client_credentials grant (RFC 6749 §4.4): an installed confidential app acting for the organisation.</summary>
public sealed class ClientCredentialsTests(OAuthSystem system) : IClassFixture<OAuthSystem>
{
    private readonly OAuthHarness _oauth = new(system);

    [Fact]
    public async Task An_installed_confidential_app_gets_a_token_for_the_organisation_without_a_refresh_token()
    {
        var developer = await system.CreateTenantWithKeyAsync();
        var customer = await system.CreateTenantWithKeyAsync();
        var (app, _, _) = await _oauth.ConfidentialTokensAsync(developer, "events:read webhooks:read", installer: customer);

        var token = await _oauth.ClientCredentialsAsync(app, customer.TenantId, "events:read");
        token.Status.ShouldBe(HttpStatusCode.OK, token.Body.ToString());
        token.Body.TryGetProperty("refresh_token", out _).ShouldBeFalse("RFC 6749 §4.4.3: no refresh token");
        token.Body.GetProperty("token_type").GetString().ShouldBe("Bearer");
        token.Body.GetProperty("scope").GetString().ShouldBe("events:read");

        var api = system.Client(token.AccessToken);
        (await api.GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var write = await api.PostAsJsonAsync("/api/v1/events", new { event_type = "user.joined", data = new { user_id = "u1" } });
        write.StatusCode.ShouldBe(HttpStatusCode.Forbidden, "the token has only the scope asked for");
        // It acts for the customer: the developer's resources stay out of reach.
        (await api.GetAsync($"/api/v1/events?tenant_id={developer.TenantId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var introspected = await _oauth.IntrospectAsync(app, token.AccessToken);
        introspected.GetProperty("active").GetBoolean().ShouldBeTrue();
        introspected.GetProperty("sub").GetString().ShouldBe(app.ClientId, "RFC 9068 §2.2: no resource owner, the client is the subject");
        introspected.GetProperty("tenant_id").GetString().ShouldBe(customer.TenantId.ToString());

        // Without a scope: everything the organisation consented to.
        var all = await _oauth.ClientCredentialsAsync(app, customer.TenantId);
        all.Status.ShouldBe(HttpStatusCode.OK);
        all.Body.GetProperty("scope").GetString().ShouldBe("events:read webhooks:read");

        // The installation is still one member grant: client_credentials tokens are not "installations".
        var installed = await customer.Client.GetFromJsonAsync<JsonElement>("/api/v1/installed-apps");
        installed.GetProperty("data").EnumerateArray().Single(a => a.GetProperty("client_id").GetString() == app.ClientId)
            .GetProperty("active_grants").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task Public_clients_wrong_secrets_missing_tenant_and_scope_beyond_consent_are_refused()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (app, _, _) = await _oauth.ConfidentialTokensAsync(tenant, "events:read");
        var (publicApp, _, _) = await _oauth.TokensAsync(tenant, "events:read");

        var publicClient = await _oauth.ClientCredentialsAsync(publicApp, tenant.TenantId, "events:read");
        publicClient.Status.ShouldBe(HttpStatusCode.BadRequest);
        publicClient.Error.ShouldBe("unauthorized_client");

        var wrongSecret = await _oauth.ClientCredentialsAsync(app with { ClientSecret = "cs_wrong" }, tenant.TenantId, "events:read");
        wrongSecret.Status.ShouldBe(HttpStatusCode.Unauthorized);
        wrongSecret.Error.ShouldBe("invalid_client");
        var noSecret = await _oauth.ClientCredentialsAsync(app with { ClientSecret = null }, tenant.TenantId, "events:read");
        noSecret.Status.ShouldBe(HttpStatusCode.Unauthorized);
        noSecret.Error.ShouldBe("invalid_client");

        var noTenant = await _oauth.ClientCredentialsAsync(app, null, "events:read");
        noTenant.Status.ShouldBe(HttpStatusCode.BadRequest);
        noTenant.Error.ShouldBe("invalid_request");

        // events:write is declared by the app but was never consented to in this organisation.
        foreach (var scope in new[] { "events:write", "events:read events:write", "members:write", "nonsense" })
        {
            var beyond = await _oauth.ClientCredentialsAsync(app, tenant.TenantId, scope);
            beyond.Status.ShouldBe(HttpStatusCode.BadRequest, scope);
            beyond.Error.ShouldBe("invalid_scope", scope);
        }

        (await system.ScalarAsync<long>("select count(*) from oauth_grants g where g.app_id = any(@a) and g.grant_type = 'client_credentials'",
            ("a", new[] { app.Id, publicApp.Id }))).ShouldBe(0, "no refused request created a grant");
    }

    [Fact]
    public async Task An_organisation_that_never_installed_the_app_is_refused_even_when_it_may_install_it()
    {
        var developer = await system.CreateTenantWithKeyAsync();
        var allowedButNotInstalled = await system.CreateTenantWithKeyAsync();
        var stranger = await system.CreateTenantWithKeyAsync();
        var app = await _oauth.RegisterAppAsync(developer, "confidential", allowedTenantIds: [allowedButNotInstalled.TenantId]);
        // The developer installs its own app; the others never consent.
        var member = await _oauth.CreateMemberAsync(developer);
        await _oauth.ExchangeAsync(app, await _oauth.AuthorizeAsync(app, member, challenge: null), verifier: null);
        (await _oauth.ClientCredentialsAsync(app, developer.TenantId, "events:read")).Status.ShouldBe(HttpStatusCode.OK);

        foreach (var tenantId in new[] { allowedButNotInstalled.TenantId, stranger.TenantId, Guid.NewGuid() })
        {
            var refused = await _oauth.ClientCredentialsAsync(app, tenantId, "events:read");
            refused.Status.ShouldBe(HttpStatusCode.BadRequest);
            refused.Error.ShouldBe("unauthorized_client");
        }
    }

    [Fact]
    public async Task Disconnecting_the_app_kills_its_tokens_and_blocks_new_ones()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (app, _, _) = await _oauth.ConfidentialTokensAsync(tenant, "events:read");
        var token = await _oauth.ClientCredentialsAsync(app, tenant.TenantId, "events:read");
        (await system.Client(token.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await tenant.Client.DeleteAsync($"/api/v1/installed-apps/{app.Id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await system.Client(token.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var again = await _oauth.ClientCredentialsAsync(app, tenant.TenantId, "events:read");
        again.Status.ShouldBe(HttpStatusCode.BadRequest);
        again.Error.ShouldBe("unauthorized_client");
    }

    [Fact]
    public async Task Removing_the_only_consenting_member_ends_the_apps_tokens_at_once()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (app, member, _) = await _oauth.ConfidentialTokensAsync(tenant, "events:read");
        var token = await _oauth.ClientCredentialsAsync(app, tenant.TenantId);
        (await system.Client(token.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await tenant.Client.DeleteAsync($"/api/v1/members/{member.MemberId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await system.Client(token.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized,
            "the token's scope is no longer covered by any consent of the organisation");
        (await _oauth.IntrospectAsync(app, token.AccessToken)).GetProperty("active").GetBoolean().ShouldBeFalse("introspection agrees with the API");
        (await _oauth.ClientCredentialsAsync(app, tenant.TenantId)).Error.ShouldBe("unauthorized_client");
    }

    [Fact]
    public async Task Revoking_a_client_credentials_token_ends_only_that_token()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (app, _, memberTokens) = await _oauth.ConfidentialTokensAsync(tenant, "events:read");
        var first = await _oauth.ClientCredentialsAsync(app, tenant.TenantId);
        var second = await _oauth.ClientCredentialsAsync(app, tenant.TenantId);
        (await _oauth.RevokeAsync(app, first.AccessToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await system.Client(first.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await system.Client(second.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await system.Client(memberTokens.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK, "the member's consent stays");
    }

    [Fact]
    public async Task Discovery_lists_the_client_credentials_grant()
    {
        using var client = system.Client();
        var metadata = await client.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server");
        metadata.GetProperty("grant_types_supported").EnumerateArray().Select(g => g.GetString()).ShouldBe(["authorization_code", "refresh_token", "client_credentials"]);
    }
}
