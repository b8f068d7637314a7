using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Microsoft.AspNetCore.WebUtilities;
using Shouldly;

namespace Integrations.IntegrationTests.Connections;

/// <summary>
/// The OAuth connect flow through the API, the provider fake (a process) and our callback: the
/// state is single-use, bound to its connection and provider, and expires; a code issued for
/// another authorization (another PKCE challenge) is refused by the provider; the account comes
/// from the provider, and a reconnect keeps the connection only for the same account.
/// </summary>
public sealed class ConnectFlowTests(ConnectionsSystem system) : IClassFixture<ConnectionsSystem>, IAsyncLifetime
{
    public Task InitializeAsync() => system.Fake.Control.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_connect_url_authorized_at_the_provider_connects_the_account_the_provider_names()
    {
        var tenant = await system.TenantAsync();
        var created = await (await tenant.Client.PostAsJsonAsync("/api/v1/connections",
            new { provider = ConnectionsSystem.Provider, display_name = "Acme at Generic", scopes = new[] { "profile", "records:read" } })).ShouldBeJsonAsync(HttpStatusCode.Created);
        var connection = created.GetProperty("connection");
        connection.GetProperty("status").GetString().ShouldBe("pending");
        connection.GetProperty("account").ValueKind.ShouldBe(JsonValueKind.Null);

        // The connect URL carries our client, our callback, a 256-bit state and an S256 challenge; never a secret.
        var connectUrl = created.GetProperty("connect_url").GetString()!;
        var query = QueryHelpers.ParseQuery(new Uri(connectUrl).Query);
        query["client_id"].ToString().ShouldBe(ConnectionsSystem.ClientId);
        query["redirect_uri"].ToString().ShouldBe(system.BaseAddress.ToString().TrimEnd('/') + "/connect/callback/generic");
        query["response_type"].ToString().ShouldBe("code");
        query["scope"].ToString().ShouldBe("profile records:read");
        query["code_challenge_method"].ToString().ShouldBe("S256");
        Convert.FromBase64String(Pad(query["state"].ToString())).Length.ShouldBe(32);
        connectUrl.ShouldNotContain(ConnectionsSystem.ClientSecret);
        (created.GetProperty("connect_url_expires_at").GetDateTimeOffset() - DateTimeOffset.UtcNow).TotalMinutes.ShouldBeInRange(29, 30.1);

        using var page = await system.CallbackAsync(await system.AuthorizeAtProviderAsync(connectUrl, "acme"));
        var html = await page.Content.ReadAsStringAsync();
        page.StatusCode.ShouldBe(HttpStatusCode.OK, html);
        page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        page.Headers.CacheControl!.NoStore.ShouldBeTrue();
        html.ShouldContain("Connected");
        html.ShouldNotContain(query["state"].ToString());

        var id = connection.GetProperty("id").GetGuid();
        var connected = await ConnectionsSystem.GetAsync(tenant.Client, id);
        connected.GetProperty("status").GetString().ShouldBe("connected");
        connected.GetProperty("account").GetProperty("id").GetString().ShouldBe("acme");
        connected.GetProperty("account").GetProperty("name").GetString().ShouldBe("Acme Corp");
        connected.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()).ShouldBe(["profile", "records:read"], ignoreOrder: true);
        connected.GetProperty("token").GetProperty("expires_at").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(55));
        connected.GetProperty("health").GetProperty("next_check_at").GetDateTimeOffset().ShouldBeLessThanOrEqualTo(DateTimeOffset.UtcNow.AddHours(1).AddMinutes(1));

        // The code was exchanged once, with our client authenticated by Basic and the PKCE verifier.
        var exchange = (await system.Fake.Control.RequestsAsync("/oauth/token", "POST")).ShouldHaveSingleItem();
        exchange.Headers["authorization"].ShouldStartWith("Basic ");
        var form = QueryHelpers.ParseQuery(exchange.Body);
        form["grant_type"].ToString().ShouldBe("authorization_code");
        form["code_verifier"].ToString().Length.ShouldBe(43);

        // The audit log names who asked (the API key, not the browser) and what was granted.
        var audit = await ConnectionsSystem.AuditAsync(tenant.Client, id);
        audit.Select(e => e.GetProperty("action").GetString()).ShouldBe(["created", "authorization_requested", "connected"]);
        audit.ShouldAllBe(e => e.GetProperty("actor").GetString() == $"api_key:{tenant.KeyId}");
        audit[2].GetProperty("actor_type").GetString().ShouldBe("api_key");
        audit[2].GetProperty("details").GetProperty("account_id").GetString().ShouldBe("acme");

        // The identity map finds it by (provider, account).
        (await system.ScalarAsync<long>("select count(*) from connections where provider = 'generic' and external_account_id = 'acme' and id = @id", ("id", id)))
            .ShouldBe(1);
    }

    [Fact]
    public async Task An_unknown_state_a_replayed_state_and_a_state_at_another_providers_callback_change_nothing()
    {
        var tenant = await system.TenantAsync();
        var created = await (await tenant.Client.PostAsJsonAsync("/api/v1/connections", new { provider = ConnectionsSystem.Provider })).ShouldBeJsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("connection").GetProperty("id").GetGuid();
        var callback = await system.AuthorizeAtProviderAsync(created.GetProperty("connect_url").GetString()!, "acme");
        var parameters = QueryHelpers.ParseQuery(new Uri(callback).Query);

        // Unknown state: a well-formed one nobody issued.
        var state = parameters["state"].ToString();
        using (var unknown = await system.CallbackAsync(Callback("generic", (state[0] == 'A' ? "B" : "A") + state[1..], parameters["code"]!)))
        {
            unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await unknown.Content.ReadAsStringAsync()).ShouldContain("invalid_state");
        }
        // The same state at another provider's callback.
        using (var elsewhere = await system.CallbackAsync(Callback("http", parameters["state"]!, parameters["code"]!)))
            elsewhere.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ConnectionsSystem.GetAsync(tenant.Client, id)).GetProperty("status").GetString().ShouldBe("pending");

        using (var first = await system.CallbackAsync(callback)) first.StatusCode.ShouldBe(HttpStatusCode.OK);
        // Replayed: the state was used; nothing is exchanged again.
        using (var replay = await system.CallbackAsync(callback))
        {
            replay.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await replay.Content.ReadAsStringAsync()).ShouldContain("invalid_state");
        }
        (await system.Fake.Control.StatsAsync()).Requests("authorization_code").ShouldBe(1);
        (await ConnectionsSystem.GetAsync(tenant.Client, id)).GetProperty("status").GetString().ShouldBe("connected");
    }

    [Fact]
    public async Task A_code_issued_for_another_connection_is_refused_by_its_verifier_and_fails_only_the_connection_whose_state_came_with_it()
    {
        // The attacker (tenant B) authorizes their own connection and sends the victim (tenant A) a link with A's state and B's code.
        var victim = await system.TenantAsync();
        var attacker = await system.TenantAsync();
        var victims = await (await victim.Client.PostAsJsonAsync("/api/v1/connections", new { provider = ConnectionsSystem.Provider })).ShouldBeJsonAsync(HttpStatusCode.Created);
        var attackers = await (await attacker.Client.PostAsJsonAsync("/api/v1/connections", new { provider = ConnectionsSystem.Provider })).ShouldBeJsonAsync(HttpStatusCode.Created);
        var victimState = QueryHelpers.ParseQuery(new Uri(victims.GetProperty("connect_url").GetString()!).Query)["state"].ToString();
        var attackerCallback = await system.AuthorizeAtProviderAsync(attackers.GetProperty("connect_url").GetString()!, "globex");
        var attackerCode = QueryHelpers.ParseQuery(new Uri(attackerCallback).Query)["code"].ToString();

        using var page = await system.CallbackAsync(Callback("generic", victimState, attackerCode));
        (await page.Content.ReadAsStringAsync()).ShouldContain("invalid_grant");

        // The provider refused the verifier of A's authorization for B's code: A's connection failed, nobody got globex's account.
        var victimId = victims.GetProperty("connection").GetProperty("id").GetGuid();
        var failed = await ConnectionsSystem.GetAsync(victim.Client, victimId);
        failed.GetProperty("status").GetString().ShouldBe("error");
        failed.GetProperty("last_error").GetString().ShouldBe("invalid_grant");
        failed.GetProperty("account").ValueKind.ShouldBe(JsonValueKind.Null);
        (await ConnectionsSystem.AuditAsync(victim.Client, victimId)).Last().GetProperty("action").GetString().ShouldBe("authorization_failed");
        (await system.ScalarAsync<long>("select count(*) from connection_credentials where connection_id = @id", ("id", victimId))).ShouldBe(0);
        // The attacker's own connection was not completed by any of this.
        (await ConnectionsSystem.GetAsync(attacker.Client, attackers.GetProperty("connection").GetProperty("id").GetGuid())).GetProperty("status").GetString()
            .ShouldBe("pending");
    }

    [Fact]
    public async Task A_state_superseded_by_a_newer_connect_url_or_expired_is_refused()
    {
        var tenant = await system.TenantAsync();
        var created = await (await tenant.Client.PostAsJsonAsync("/api/v1/connections", new { provider = ConnectionsSystem.Provider })).ShouldBeJsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("connection").GetProperty("id").GetGuid();
        var stale = await system.AuthorizeAtProviderAsync(created.GetProperty("connect_url").GetString()!, "acme");
        var renewed = await (await tenant.Client.PostAsync($"/api/v1/connections/{id}/reconnect", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        using (var page = await system.CallbackAsync(stale)) page.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        // An API instance whose connect URLs expire at once hands out one; by the time it comes back it is refused.
        var (api, address) = await system.StartApiInstanceAsync(b =>
        {
            b.Configuration["Connections:AuthorizationTimeout"] = "00:00:01";
            b.Configuration["Connections:CallbackBaseUrl"] = system.BaseAddress.ToString();
        });
        await using (api)
        {
            using var client = new HttpClient { BaseAddress = address };
            client.DefaultRequestHeaders.Authorization = new("Bearer", tenant.Key);
            var expiring = await (await client.PostAsync($"/api/v1/connections/{id}/reconnect", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
            var callback = await system.AuthorizeAtProviderAsync(expiring.GetProperty("connect_url").GetString()!, "acme");
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            using var page = await system.CallbackAsync(callback);
            (await page.Content.ReadAsStringAsync()).ShouldContain("authorization_expired");
        }
        var connection = await ConnectionsSystem.GetAsync(tenant.Client, id);
        connection.GetProperty("status").GetString().ShouldBe("error");
        connection.GetProperty("last_error").GetString().ShouldBe("authorization_expired");
        // The renewed link of the main API is superseded too: only the newest link of a connection is valid.
        using (var page = await system.CallbackAsync(await system.AuthorizeAtProviderAsync(renewed.GetProperty("connect_url").GetString()!, "acme")))
            page.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_denied_authorization_is_recorded_and_the_browser_goes_to_the_return_url_with_the_outcome_only()
    {
        var tenant = await system.TenantAsync();
        await system.Fake.Control.SettingsAsync(new { consent = "deny" });
        var created = await (await tenant.Client.PostAsJsonAsync("/api/v1/connections",
            new { provider = ConnectionsSystem.Provider, return_url = "https://app.example.com/integrations?tab=connections" })).ShouldBeJsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("connection").GetProperty("id").GetGuid();
        using var page = await system.CallbackAsync(await system.AuthorizeAtProviderAsync(created.GetProperty("connect_url").GetString()!, "acme"));
        page.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var location = page.Headers.Location!;
        location.GetLeftPart(UriPartial.Path).ShouldBe("https://app.example.com/integrations");
        var back = QueryHelpers.ParseQuery(location.Query);
        back["tab"].ToString().ShouldBe("connections");
        back["connection_id"].ToString().ShouldBe(id.ToString());
        back["status"].ToString().ShouldBe("failed");
        back["error"].ToString().ShouldBe("access_denied");
        back.Keys.ShouldNotContain("code");
        back.Keys.ShouldNotContain("state");
        (await ConnectionsSystem.GetAsync(tenant.Client, id)).GetProperty("last_error").GetString().ShouldBe("access_denied");

        // A return_url that is not https (or http on a loopback host) is refused up front.
        (await (await tenant.Client.PostAsJsonAsync("/api/v1/connections", new { provider = ConnectionsSystem.Provider, return_url = "http://evil.example.com/" }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).Fields().ShouldContain("return_url");
    }

    [Fact]
    public async Task A_reconnect_keeps_the_id_for_the_same_account_and_refuses_another_account_leaving_the_connection_as_it_was()
    {
        var tenant = await system.TenantAsync();
        var connection = await system.ConnectAsync(tenant.Client, "acme");
        var id = connection.GetProperty("id").GetGuid();
        var version = await system.ScalarAsync<int>("select version from connection_credentials where connection_id = @id", ("id", id));

        var again = await (await tenant.Client.PostAsync($"/api/v1/connections/{id}/reconnect", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        again.GetProperty("connection").GetProperty("id").GetGuid().ShouldBe(id);
        using (var page = await system.CallbackAsync(await system.AuthorizeAtProviderAsync(again.GetProperty("connect_url").GetString()!, "acme")))
            (await page.Content.ReadAsStringAsync()).ShouldContain("Connected");
        (await system.ScalarAsync<int>("select version from connection_credentials where connection_id = @id", ("id", id))).ShouldBe(version + 1);

        var other = await (await tenant.Client.PostAsync($"/api/v1/connections/{id}/reconnect", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        using (var page = await system.CallbackAsync(await system.AuthorizeAtProviderAsync(other.GetProperty("connect_url").GetString()!, "globex")))
            (await page.Content.ReadAsStringAsync()).ShouldContain("account_mismatch");
        var after = await ConnectionsSystem.GetAsync(tenant.Client, id);
        after.GetProperty("status").GetString().ShouldBe("connected");
        after.GetProperty("account").GetProperty("id").GetString().ShouldBe("acme");
        (await system.ScalarAsync<int>("select version from connection_credentials where connection_id = @id", ("id", id))).ShouldBe(version + 1);
        // The tokens issued for globex were revoked at once: we keep nothing of an account we refused.
        (await system.Fake.Control.GrantsAsync()).Where(g => g.GetProperty("account").GetString() == "globex")
            .ShouldAllBe(g => g.GetProperty("revoked").GetBoolean());

        var actions = (await ConnectionsSystem.AuditAsync(tenant.Client, id)).Select(e => e.GetProperty("action").GetString()).ToList();
        actions.ShouldBe(["created", "authorization_requested", "connected", "authorization_requested", "reconnected", "authorization_requested", "authorization_failed"]);
    }

    private string Callback(string provider, string state, string code) =>
        QueryHelpers.AddQueryString(system.BaseAddress.ToString().TrimEnd('/') + "/connect/callback/" + provider,
            new Dictionary<string, string?> { ["code"] = code, ["state"] = state });

    private static string Pad(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text + new string('=', (4 - text.Length % 4) % 4);
    }
}
