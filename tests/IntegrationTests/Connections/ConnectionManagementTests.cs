using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.Application.Connections;
using Integrations.IntegrationTests.Api;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Integrations.IntegrationTests.Connections;

/// <summary>
/// Credentials given directly (verified at the provider before anything is stored), deletion
/// (revoked at the provider, erased from the vault, audit log kept), the link table, tenant
/// isolation of every endpoint, and no credential in any answer.
/// </summary>
public sealed class ConnectionManagementTests(ConnectionsSystem system) : IClassFixture<ConnectionsSystem>, IAsyncLifetime
{
    public Task InitializeAsync() => system.Fake.Control.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private object HttpConnection(string key, string? baseUrl = null) => new
    {
        provider = "http", auth_kind = "api_key", display_name = "Records API", credentials = new { api_key = key },
        settings = new { base_url = baseUrl ?? new Uri(system.Fake.BaseAddress, "/api").ToString(), health_check_path = "/me", account_id_path = "data.id" },
    };

    [Fact]
    public async Task An_api_key_is_verified_by_the_health_check_before_it_is_stored_and_a_refused_one_stores_nothing()
    {
        await system.Fake.Control.SetAuthModeAsync("api_key", "X-API-Key");
        await system.Fake.Control.AddApiKeyAsync("key-good-7f3a9c2e51d8", "acme");
        var tenant = await system.TenantAsync();
        var before = await system.ScalarAsync<long>("select count(*) from connections");

        var refused = await (await tenant.Client.PostAsJsonAsync("/api/v1/connections", HttpConnection("key-wrong-0000000000")))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        refused.GetProperty("details")[0].GetProperty("code").GetString().ShouldBe("credentials_refused");
        (await system.ScalarAsync<long>("select count(*) from connections")).ShouldBe(before);
        (await system.ScalarAsync<long>("select count(*) from connection_credentials where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);
        (await system.ScalarAsync<long>("select count(*) from marten.mt_events where tenant_id = @t and type like 'Connection%'", ("t", tenant.TenantId.ToString())))
            .ShouldBe(0);

        var created = await (await tenant.Client.PostAsJsonAsync("/api/v1/connections", HttpConnection("key-good-7f3a9c2e51d8"))).ShouldBeJsonAsync(HttpStatusCode.Created);
        created.GetProperty("connect_url").ValueKind.ShouldBe(JsonValueKind.Null);
        var connection = created.GetProperty("connection");
        connection.GetProperty("status").GetString().ShouldBe("connected");
        connection.GetProperty("auth_kind").GetString().ShouldBe("api_key");
        connection.GetProperty("account").GetProperty("id").GetString().ShouldBe("acme");
        connection.GetProperty("settings").GetProperty("base_url").GetString().ShouldBe(new Uri(system.Fake.BaseAddress, "/api").ToString());
        // Without settings.api_key_header the key goes as a bearer token.
        (await system.Fake.Control.RequestsAsync("/api/me")).Last().Headers["authorization"].ShouldBe("Bearer key-good-7f3a9c2e51d8");

        // Its access: the runtime's port gives the key back for calls, through the same DI as the hosts.
        await using var scope = system.Api.Services.CreateAsyncScope();
        var access = await scope.ServiceProvider.GetRequiredService<IConnectionAccess>().GetAsync(tenant.TenantId, connection.GetProperty("id").GetGuid(), default);
        access.Credentials.Headers["Authorization"].ShouldBe("Bearer key-good-7f3a9c2e51d8");
        access.BaseUrl.ShouldBe(new Uri(system.Fake.BaseAddress, "/api"));
        access.ToString().ShouldNotContain("key-good");
    }

    [Fact]
    public async Task Bad_input_is_refused_with_the_documented_errors_and_changes_nothing()
    {
        var tenant = await system.TenantAsync();
        async Task<JsonElement> Refused(object body) =>
            await (await tenant.Client.PostAsJsonAsync("/api/v1/connections", body)).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        (await Refused(new { provider = "nope" })).GetProperty("details")[0].GetProperty("code").GetString().ShouldBe("unknown_provider");
        (await Refused(new { provider = ConnectionsSystem.Provider, credentials = new { api_key = "x" } })).Fields().ShouldContain("credentials");
        (await Refused(new { provider = "http", auth_kind = "api_key", credentials = new { api_key = "x" } })).Fields().ShouldContain("settings.base_url");
        (await Refused(new { provider = "http", auth_kind = "oauth2_code" })).Fields().ShouldContain("auth_kind");
        (await Refused(new { provider = "http", auth_kind = "basic", credentials = new { username = "a:b", password = "p" }, settings = new { base_url = "ftp://x" } }))
            .Fields().ShouldBe(["credentials.username", "settings.base_url"], ignoreOrder: true);
        await (await tenant.Client.PostAsJsonAsync("/api/v1/connections", new { provider = ConnectionsSystem.Provider, colour = "red" }))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        await (await tenant.Client.GetAsync("/api/v1/connections?status=sleeping")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await tenant.Client.GetAsync($"/api/v1/connections/{Guid.NewGuid()}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "connection_not_found");
        (await system.ScalarAsync<long>("select count(*) from connections where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);
    }

    [Fact]
    public async Task Deleting_revokes_the_grant_at_the_provider_erases_the_credentials_and_links_and_keeps_the_audit_log()
    {
        var tenant = await system.TenantAsync();
        var id = (await system.ConnectAsync(tenant.Client)).GetProperty("id").GetGuid();
        await using (var scope = system.Api.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<IConnectionLinks>().LinkAsync(tenant.TenantId, id, "task", "t-1", "records.record", "r-1", default);

        (await tenant.Client.DeleteAsync($"/api/v1/connections/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var revocation = (await system.Fake.Control.RequestsAsync("/oauth/revoke", "POST")).ShouldHaveSingleItem();
        revocation.Body.ShouldContain("token_type_hint=refresh_token");
        (await system.Fake.Control.GrantsAsync()).ShouldAllBe(g => g.GetProperty("revoked").GetBoolean());
        (await system.ScalarAsync<long>("select count(*) from connection_credentials where connection_id = @id", ("id", id))).ShouldBe(0);
        (await system.ScalarAsync<long>("select count(*) from connection_links where connection_id = @id", ("id", id))).ShouldBe(0);
        (await system.ScalarAsync<string>("select status from connections where id = @id", ("id", id))).ShouldBe("deleted");

        await (await tenant.Client.GetAsync($"/api/v1/connections/{id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "connection_not_found");
        (await (await tenant.Client.GetAsync("/api/v1/connections")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
        var audit = await ConnectionsSystem.AuditAsync(tenant.Client, id);
        var deleted = audit.Last();
        deleted.GetProperty("action").GetString().ShouldBe("deleted");
        deleted.GetProperty("details").GetProperty("revoked_at_provider").GetBoolean().ShouldBeTrue();
        deleted.GetProperty("actor").GetString().ShouldBe($"api_key:{tenant.KeyId}");
        await (await tenant.Client.DeleteAsync($"/api/v1/connections/{id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "connection_not_found");
    }

    [Fact]
    public async Task Links_are_found_from_either_side_replaced_when_either_side_moves_and_listed_under_the_list_conventions()
    {
        var tenant = await system.TenantAsync();
        var id = (await system.ConnectAsync(tenant.Client)).GetProperty("id").GetGuid();
        await using var scope = system.Api.Services.CreateAsyncScope();
        var links = scope.ServiceProvider.GetRequiredService<IConnectionLinks>();
        await links.LinkAsync(tenant.TenantId, id, "task", "t-1", "issue", "ISS-1", default);
        await links.LinkAsync(tenant.TenantId, id, "task", "t-2", "issue", "ISS-2", default);
        (await links.FindByExternalAsync(tenant.TenantId, id, "issue", "ISS-2", default))!.EntityId.ShouldBe("t-2");
        (await links.FindByEntityAsync(tenant.TenantId, id, "task", "t-1", default))!.ExternalId.ShouldBe("ISS-1");
        // ISS-2 now belongs to t-1: t-1's old link and t-2's link to ISS-2 both go.
        await links.LinkAsync(tenant.TenantId, id, "task", "t-1", "issue", "ISS-2", default);
        (await links.FindByEntityAsync(tenant.TenantId, id, "task", "t-2", default)).ShouldBeNull();
        (await links.FindByExternalAsync(tenant.TenantId, id, "issue", "ISS-1", default)).ShouldBeNull();
        (await links.FindByEntityAsync(Guid.NewGuid(), id, "task", "t-1", default)).ShouldBeNull("another tenant finds nothing");

        var page = await (await tenant.Client.GetAsync($"/api/v1/connections/{id}/links?entity_type=task")).ShouldBeJsonAsync(HttpStatusCode.OK);
        var link = page.GetProperty("data").EnumerateArray().ShouldHaveSingleItem();
        link.GetProperty("entity_id").GetString().ShouldBe("t-1");
        link.GetProperty("external_id").GetString().ShouldBe("ISS-2");
        (await links.UnlinkAsync(tenant.TenantId, id, "task", "t-1", default)).ShouldBeTrue();
        (await links.UnlinkAsync(tenant.TenantId, id, "task", "t-1", default)).ShouldBeFalse();
    }

    [Fact]
    public async Task Every_endpoint_answers_another_tenants_connection_as_not_found_and_lists_only_the_tenants_own()
    {
        var owner = await system.TenantAsync();
        var other = await system.TenantAsync();
        var id = (await system.ConnectAsync(owner.Client)).GetProperty("id").GetGuid();

        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Get, $"/api/v1/connections/{id}"), (HttpMethod.Post, $"/api/v1/connections/{id}/test"),
                     (HttpMethod.Post, $"/api/v1/connections/{id}/reconnect"), (HttpMethod.Delete, $"/api/v1/connections/{id}"),
                     (HttpMethod.Get, $"/api/v1/connections/{id}/audit-log"), (HttpMethod.Get, $"/api/v1/connections/{id}/links"),
                 })
        {
            using var response = await other.Client.SendAsync(new HttpRequestMessage(method, path));
            await response.ShouldBeErrorAsync(HttpStatusCode.NotFound, "connection_not_found");
        }
        (await (await other.Client.GetAsync("/api/v1/connections")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
        (await (await owner.Client.GetAsync("/api/v1/connections?status=connected&provider=generic")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetGuid()).ShouldBe([id]);
        (await ConnectionsSystem.GetAsync(owner.Client, id)).GetProperty("status").GetString().ShouldBe("connected", "nothing the other tenant sent changed it");

        // The admin key acts on a tenant it names.
        (await (await system.Admin.GetAsync($"/api/v1/connections/{id}?tenant_id={owner.TenantId}")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("id").GetGuid().ShouldBe(id);
        await (await system.Admin.GetAsync($"/api/v1/connections/{id}?tenant_id={other.TenantId}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "connection_not_found");
    }

    [Fact]
    public async Task No_answer_of_the_API_or_the_callback_ever_holds_a_token_a_key_a_secret_or_a_state()
    {
        await system.Fake.Control.SettingsAsync(new { access_token_lifetime_seconds = 60 });
        var tenant = await system.TenantAsync();
        var id = (await system.ConnectAsync(tenant.Client)).GetProperty("id").GetGuid();
        await ConnectionsSystem.TestAsync(tenant.Client, id);
        await (await tenant.Client.GetAsync($"/api/v1/connections/{id}/audit-log")).Content.ReadAsStringAsync();
        await (await tenant.Client.GetAsync("/api/v1/connections")).Content.ReadAsStringAsync();
        await system.Fake.Control.SetAuthModeAsync("api_key", "X-API-Key");
        await system.Fake.Control.AddApiKeyAsync("planted-key-9b2e44c1a7f0", "acme");
        await tenant.Client.PostAsJsonAsync("/api/v1/connections", HttpConnection("planted-key-9b2e44c1a7f0"));
        await tenant.Client.PostAsJsonAsync("/api/v1/connections", HttpConnection("planted-wrong-key-51c0d9"));

        var secrets = (await system.FakeTokensAsync()).Concat(["planted-key-9b2e44c1a7f0", "planted-wrong-key-51c0d9", ConnectionsSystem.ClientSecret]).ToList();
        secrets.Count.ShouldBeGreaterThan(4);
        var bodies = system.ResponseBodies.ToList();
        bodies.ShouldNotBeEmpty();
        foreach (var secret in secrets)
            bodies.ShouldNotContain(b => b.Contains(secret, StringComparison.Ordinal), $"an answer held a credential ({secret[..6]}…)");
        // The states and PKCE verifiers sent to the provider are not in any answer either (the connect_url holds the state once, by design).
        var verifiers = (await system.Fake.Control.RequestsAsync("/oauth/token", "POST"))
            .Select(r => Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(r.Body)).Where(f => f.ContainsKey("code_verifier")).Select(f => f["code_verifier"].ToString()).ToList();
        verifiers.ShouldNotBeEmpty();
        foreach (var verifier in verifiers) bodies.ShouldNotContain(b => b.Contains(verifier, StringComparison.Ordinal));
    }

    [Fact]
    public async Task OAuth_apps_need_connections_read_to_read_and_connections_write_to_change_and_the_audit_log_names_the_app_and_member()
    {
        var tenant = await system.TenantAsync();
        var oauth = new OAuth.OAuthHarness(system);
        var app = await oauth.RegisterAppAsync(tenant, scopes: ["connections:read", "connections:write"]);
        var member = await oauth.CreateMemberAsync(tenant);
        async Task<string> TokenAsync(string scope)
        {
            var verifier = OAuth.OAuthHarness.Verifier();
            var tokens = await oauth.ExchangeAsync(app, await oauth.AuthorizeAsync(app, member, OAuth.OAuthHarness.Challenge(verifier), scope), verifier);
            tokens.Status.ShouldBe(HttpStatusCode.OK, tokens.Body.ToString());
            return tokens.AccessToken;
        }

        using var reader = system.RecordingClient(await TokenAsync("connections:read"));
        (await reader.GetAsync("/api/v1/connections")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await reader.GetAsync("/api/v1/providers")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await reader.PostAsJsonAsync("/api/v1/connections", new { provider = ConnectionsSystem.Provider })).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");

        using var writer = system.RecordingClient(await TokenAsync("connections:read connections:write"));
        var created = await (await writer.PostAsJsonAsync("/api/v1/connections", new { provider = ConnectionsSystem.Provider })).ShouldBeJsonAsync(HttpStatusCode.Created);
        var entry = (await ConnectionsSystem.AuditAsync(writer, created.GetProperty("connection").GetProperty("id").GetGuid())).First();
        entry.GetProperty("actor_type").GetString().ShouldBe("oauth_app");
        entry.GetProperty("actor").GetString().ShouldBe($"oauth:{app.ClientId}:{member.MemberId}");
    }
}
