using System.Net;
using Integrations.Domain.Notifications;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Shouldly;

namespace Integrations.IntegrationTests.Connections;

/// <summary>The connections system whose Workers hosts (started by each test) sweep every half second and check each connection's health every second.</summary>
public sealed class SweepingConnectionsSystem : ConnectionsSystem
{
    protected override IDictionary<string, string?> ConnectionSettings => new Dictionary<string, string?>
    {
        ["Connections:TokenSweep:Interval"] = "00:00:00.500",
        ["Connections:HealthCheck:PollInterval"] = "00:00:00.200",
        // The API schedules a new connection's first check within one interval: a second here.
        ["Connections:HealthCheck:Interval"] = "00:00:01",
        ["Workers:Pipelines"] = "connections",
    };
}

/// <summary>
/// The Workers' connections pipeline: two hosts sweeping the same due connection refresh it once
/// (the lock, and the decision taken again under it), idle refresh tokens are exercised, and the
/// periodic health checks disconnect after N failures and restore on the next success.
/// </summary>
public sealed class ConnectionWorkersTests(SweepingConnectionsSystem system) : IClassFixture<SweepingConnectionsSystem>, IAsyncLifetime
{
    private readonly List<Microsoft.Extensions.Hosting.IHost> _workers = [];

    public Task InitializeAsync() => system.Fake.Control.ResetAsync();

    public async Task DisposeAsync()
    {
        foreach (var host in _workers) await system.StopExtraWorkersAsync(host);
    }

    private async Task StartWorkersAsync(int count, IDictionary<string, string?>? overrides = null)
    {
        for (var i = 0; i < count; i++) _workers.Add(await system.StartExtraWorkersAsync(overrides));
    }

    [Fact]
    public async Task Two_Workers_sweeping_one_due_connection_refresh_it_exactly_once()
    {
        // Tokens of 10 minutes are due at once (15-minute buffer); the refreshed ones last an hour, so one refresh ends it.
        await system.Fake.Control.SettingsAsync(new { access_token_lifetime_seconds = 600, refresh_tokens = "single_use" });
        var tenant = await system.TenantAsync();
        var id = (await system.ConnectAsync(tenant.Client)).GetProperty("id").GetGuid();
        await system.Fake.Control.SettingsAsync(new { access_token_lifetime_seconds = 3600 });
        // The token endpoint takes 2 s: both sweeps find the connection due while the first refresh holds the lock.
        await system.Fake.Control.AddFaultAsync(new FakeFault("/oauth/token", Count: null, DelayMs: 2000));

        await StartWorkersAsync(2);
        await Eventually.HoldsAsync(async () => (await system.Fake.Control.StatsAsync()).Successes("refresh_token") >= 1, TimeSpan.FromSeconds(20),
            "a Workers host refreshes the due connection");
        await Task.Delay(TimeSpan.FromSeconds(4)); // both hosts swept several times more meanwhile

        var stats = await system.Fake.Control.StatsAsync();
        stats.Requests("refresh_token").ShouldBe(1);
        stats.Successes("refresh_token").ShouldBe(1);
        var connection = await ConnectionsSystem.GetAsync(tenant.Client, id);
        connection.GetProperty("status").GetString().ShouldBe("connected");
        connection.GetProperty("token").GetProperty("expires_at").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(55));
        var refreshed = (await ConnectionsSystem.AuditAsync(tenant.Client, id)).Where(e => e.GetProperty("action").GetString() == "token_refreshed").ToList();
        refreshed.ShouldHaveSingleItem().GetProperty("actor_type").GetString().ShouldBe("system");
    }

    [Fact]
    public async Task A_refresh_token_unused_for_longer_than_the_idle_limit_is_exercised_by_the_sweep()
    {
        var tenant = await system.TenantAsync();
        var id = (await system.ConnectAsync(tenant.Client)).GetProperty("id").GetGuid();
        await StartWorkersAsync(1, new Dictionary<string, string?> { ["Connections:TokenSweep:MaxIdle"] = "00:00:02" });

        await Eventually.HoldsAsync(async () => (await system.Fake.Control.StatsAsync()).Successes("refresh_token") >= 1, TimeSpan.FromSeconds(20),
            "the idle refresh token is exercised");
        var sent = (await system.Fake.Control.RequestsAsync("/oauth/token", "POST")).Select(r => QueryHelpers.ParseQuery(r.Body))
            .Where(f => f["grant_type"] == "refresh_token").Select(f => f["refresh_token"].ToString()).ToList();
        sent.Distinct().Count().ShouldBe(sent.Count, "every exercise sent the newest refresh token");
        (await ConnectionsSystem.GetAsync(tenant.Client, id)).GetProperty("status").GetString().ShouldBe("connected");
    }

    [Fact]
    public async Task Periodic_health_checks_disconnect_after_three_failures_in_a_row_and_the_next_success_restores_the_connection()
    {
        var tenant = await system.TenantAsync();
        var id = (await system.ConnectAsync(tenant.Client)).GetProperty("id").GetGuid();
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/me", Count: null, Status: 503, Body: "{\"error\":\"maintenance\"}"));
        await StartWorkersAsync(1);

        await Eventually.HoldsAsync(async () => (await ConnectionsSystem.GetAsync(tenant.Client, id)).GetProperty("status").GetString() == "disconnected",
            TimeSpan.FromSeconds(30), "three failed checks disconnect it");
        var disconnected = await ConnectionsSystem.GetAsync(tenant.Client, id);
        disconnected.GetProperty("disconnected_reason").GetString().ShouldBe("health_check");
        disconnected.GetProperty("health").GetProperty("last_error").GetString().ShouldBe("http_503");
        (await system.IncidentEventsAsync(tenant.TenantId, IncidentKinds.ConnectionDisconnected, id)).First().ShouldBe("IncidentOpened");

        await system.Fake.Control.ClearFaultsAsync();
        await Eventually.HoldsAsync(async () => (await ConnectionsSystem.GetAsync(tenant.Client, id)).GetProperty("status").GetString() == "connected",
            TimeSpan.FromSeconds(30), "the next successful check restores it");
        (await system.IncidentEventsAsync(tenant.TenantId, IncidentKinds.ConnectionDisconnected, id)).ShouldBe(["IncidentOpened", "IncidentResolved"]);
        var actions = (await ConnectionsSystem.AuditAsync(tenant.Client, id)).Select(e => e.GetProperty("action").GetString()).ToList();
        actions.Count(a => a == "health_check_failed").ShouldBeGreaterThanOrEqualTo(3);
        actions.ShouldContain("disconnected");
        actions.Last().ShouldBe("health_restored");
    }
}
