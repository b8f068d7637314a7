using System.Net;
using System.Net.Http.Json;
using Integrations.Domain.Notifications;
using Integrations.IntegrationTests.Api;
using Microsoft.AspNetCore.WebUtilities;
using Shouldly;

namespace Integrations.IntegrationTests.Connections;

/// <summary>
/// Refresh on use (the test endpoint uses the connection as the connector runtime does): ahead of
/// expiry within the provider's buffer, rotated and single-use refresh tokens stored before use and
/// never sent twice, invalid_grant making the connection needs_reauth with one incident, transient
/// failures cooling down without changing the status, and a 401 answered by one refresh.
/// </summary>
public sealed class TokenLifecycleTests(ConnectionsSystem system) : IClassFixture<ConnectionsSystem>, IAsyncLifetime
{
    public Task InitializeAsync() => system.Fake.Control.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_token_expiring_within_the_buffer_is_refreshed_before_use_and_one_that_does_not_is_not()
    {
        var tenant = await system.TenantAsync();
        var id = (await system.ConnectAsync(tenant.Client)).GetProperty("id").GetGuid();
        // An hour's token is not due with a 15-minute buffer: the check uses it as it is.
        (await ConnectionsSystem.TestAsync(tenant.Client, id)).GetProperty("result").GetString().ShouldBe("succeeded");
        (await system.Fake.Control.StatsAsync()).Requests("refresh_token").ShouldBe(0);

        // Tokens of 14 minutes are due at once.
        await system.Fake.Control.SettingsAsync(new { access_token_lifetime_seconds = 14 * 60 });
        var short1 = (await system.ConnectAsync(tenant.Client)).GetProperty("id").GetGuid();
        var test = await ConnectionsSystem.TestAsync(tenant.Client, short1);
        test.GetProperty("result").GetString().ShouldBe("succeeded");
        (await system.Fake.Control.StatsAsync()).Successes("refresh_token").ShouldBe(1);
        var connection = test.GetProperty("connection");
        connection.GetProperty("token").GetProperty("last_refreshed_at").ValueKind.ShouldNotBe(System.Text.Json.JsonValueKind.Null);
        var audit = await ConnectionsSystem.AuditAsync(tenant.Client, short1);
        var refreshed = audit.Single(e => e.GetProperty("action").GetString() == "token_refreshed");
        refreshed.GetProperty("actor_type").GetString().ShouldBe("api_key");
        refreshed.GetProperty("details").GetProperty("refresh_token_rotated").GetBoolean().ShouldBeTrue();
    }

    [Theory]
    [InlineData("rotating")]
    [InlineData("single_use")]
    public async Task Rotated_and_single_use_refresh_tokens_are_stored_before_use_and_never_sent_twice(string policy)
    {
        await system.Fake.Control.SettingsAsync(new { refresh_tokens = policy, access_token_lifetime_seconds = 60 });
        var tenant = await system.TenantAsync();
        var id = (await system.ConnectAsync(tenant.Client)).GetProperty("id").GetGuid();
        // Every use refreshes (a minute's token is always within the buffer); a reused single-use token would be invalid_grant.
        for (var i = 0; i < 4; i++) (await ConnectionsSystem.TestAsync(tenant.Client, id)).GetProperty("result").GetString().ShouldBe("succeeded");

        var sent = (await system.Fake.Control.RequestsAsync("/oauth/token", "POST"))
            .Select(r => QueryHelpers.ParseQuery(r.Body)).Where(f => f["grant_type"] == "refresh_token").Select(f => f["refresh_token"].ToString()).ToList();
        sent.Count.ShouldBe(4);
        sent.Distinct().Count().ShouldBe(4, "each refresh sent the token the previous one returned");
        (await system.Fake.Control.StatsAsync()).Successes("refresh_token").ShouldBe(4);
        var connection = await ConnectionsSystem.GetAsync(tenant.Client, id);
        connection.GetProperty("status").GetString().ShouldBe("connected");
        (await system.ScalarAsync<int>("select version from connection_credentials where connection_id = @id", ("id", id))).ShouldBe(5);
    }

    [Fact]
    public async Task An_invalid_grant_makes_the_connection_needs_reauth_and_opens_one_incident_which_a_reconnect_resolves()
    {
        await system.Fake.Control.SettingsAsync(new { access_token_lifetime_seconds = 60 });
        var tenant = await system.TenantAsync();
        var id = (await system.ConnectAsync(tenant.Client)).GetProperty("id").GetGuid();
        await system.Fake.Control.AddRefreshFaultAsync("invalid_grant", count: 2);

        var test = await ConnectionsSystem.TestAsync(tenant.Client, id);
        test.GetProperty("result").GetString().ShouldBe("skipped");
        test.GetProperty("error").GetString().ShouldBe("needs_reauth");
        var connection = await ConnectionsSystem.GetAsync(tenant.Client, id);
        connection.GetProperty("status").GetString().ShouldBe("needs_reauth");
        connection.GetProperty("token").GetProperty("last_error").GetString().ShouldBe("invalid_grant");
        // Used again: nothing is sent to the provider (only a new authorization helps), and no second incident.
        (await ConnectionsSystem.TestAsync(tenant.Client, id)).GetProperty("error").GetString().ShouldBe("needs_reauth");
        (await system.Fake.Control.StatsAsync()).Requests("refresh_token").ShouldBe(1);
        (await system.IncidentEventsAsync(tenant.TenantId, IncidentKinds.ConnectionNeedsReauth, id)).ShouldBe(["IncidentOpened"]);

        await system.Fake.Control.SettingsAsync(new { access_token_lifetime_seconds = 3600 });
        var again = await (await tenant.Client.PostAsync($"/api/v1/connections/{id}/reconnect", null)).ShouldBeJsonAsync(HttpStatusCode.OK);
        using (var page = await system.CallbackAsync(await system.AuthorizeAtProviderAsync(again.GetProperty("connect_url").GetString()!, "acme")))
            page.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ConnectionsSystem.GetAsync(tenant.Client, id)).GetProperty("status").GetString().ShouldBe("connected");
        (await system.IncidentEventsAsync(tenant.TenantId, IncidentKinds.ConnectionNeedsReauth, id)).ShouldBe(["IncidentOpened", "IncidentResolved"]);
    }

    [Fact]
    public async Task A_transient_refresh_failure_cools_down_without_changing_the_status_and_a_later_refresh_succeeds()
    {
        await system.Fake.Control.SettingsAsync(new { access_token_lifetime_seconds = 60 });
        var tenant = await system.TenantAsync();
        var id = (await system.ConnectAsync(tenant.Client)).GetProperty("id").GetGuid();
        await system.Fake.Control.AddRefreshFaultAsync("temporarily_unavailable");

        // The access token still works for a minute: the check succeeds with it, and the refresh waits its cooldown.
        (await ConnectionsSystem.TestAsync(tenant.Client, id)).GetProperty("result").GetString().ShouldBe("succeeded");
        var cooling = await ConnectionsSystem.GetAsync(tenant.Client, id);
        cooling.GetProperty("status").GetString().ShouldBe("connected");
        cooling.GetProperty("token").GetProperty("failures_in_a_row").GetInt32().ShouldBe(1);
        var retryAt = cooling.GetProperty("token").GetProperty("retry_at").GetDateTimeOffset();
        (retryAt - DateTimeOffset.UtcNow).TotalSeconds.ShouldBeInRange(20, 31);
        // Within the cooldown nobody asks the provider again.
        (await ConnectionsSystem.TestAsync(tenant.Client, id)).GetProperty("result").GetString().ShouldBe("succeeded");
        (await system.Fake.Control.StatsAsync()).Requests("refresh_token").ShouldBe(1);
        (await system.IncidentEventsAsync(tenant.TenantId, IncidentKinds.ConnectionNeedsReauth, id)).ShouldBeEmpty();
        var failed = (await ConnectionsSystem.AuditAsync(tenant.Client, id)).Single(e => e.GetProperty("action").GetString() == "token_refresh_failed");
        failed.GetProperty("details").GetProperty("permanent").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task A_401_to_the_health_check_is_answered_by_one_refresh_and_the_check_with_the_new_token()
    {
        var tenant = await system.TenantAsync();
        var id = (await system.ConnectAsync(tenant.Client)).GetProperty("id").GetGuid();
        (await system.Fake.Control.ExpireAccessTokensAsync(account: "acme")).ShouldBeGreaterThan(0);

        var test = await ConnectionsSystem.TestAsync(tenant.Client, id);
        test.GetProperty("result").GetString().ShouldBe("succeeded");
        (await system.Fake.Control.StatsAsync()).Successes("refresh_token").ShouldBe(1);
        var checks = await system.Fake.Control.RequestsAsync("/api/me", "GET");
        checks.Count.ShouldBe(3, "the connect's identity call, the refused check, the check with the new token");
        checks[2].Headers["authorization"].ShouldNotBe(checks[1].Headers["authorization"]);
    }

    [Fact]
    public async Task Health_checks_run_on_demand_count_failures_disconnect_at_the_third_and_a_success_restores_it()
    {
        var tenant = await system.TenantAsync();
        var id = (await system.ConnectAsync(tenant.Client)).GetProperty("id").GetGuid();
        await system.Fake.Control.AddFaultAsync(new Infrastructure.FakeFault("/api/me", Count: 3, Status: 500));
        for (var i = 1; i <= 3; i++)
        {
            var failed = await ConnectionsSystem.TestAsync(tenant.Client, id);
            failed.GetProperty("result").GetString().ShouldBe("failed");
            failed.GetProperty("error").GetString().ShouldBe("http_500");
            failed.GetProperty("connection").GetProperty("health").GetProperty("failures_in_a_row").GetInt32().ShouldBe(i);
            failed.GetProperty("connection").GetProperty("status").GetString().ShouldBe(i < 3 ? "connected" : "disconnected");
        }
        (await system.IncidentEventsAsync(tenant.TenantId, IncidentKinds.ConnectionDisconnected, id)).ShouldBe(["IncidentOpened"]);

        var restored = await ConnectionsSystem.TestAsync(tenant.Client, id);
        restored.GetProperty("result").GetString().ShouldBe("succeeded");
        restored.GetProperty("account").GetProperty("id").GetString().ShouldBe("acme");
        restored.GetProperty("connection").GetProperty("status").GetString().ShouldBe("connected");
        restored.GetProperty("connection").GetProperty("health").GetProperty("failures_in_a_row").GetInt32().ShouldBe(0);
        (await system.IncidentEventsAsync(tenant.TenantId, IncidentKinds.ConnectionDisconnected, id)).ShouldBe(["IncidentOpened", "IncidentResolved"]);
    }
}
