using System.Diagnostics;
using Integrations.Domain.Notifications;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.Connectors;

/// <summary>
/// One connection's trouble stays its own: the circuit breaker (5 failures open it, one probe after
/// the break), quotas counted in PostgreSQL (calls wait for the window, none fails), and a hanging
/// and an always-500 provider beside a healthy connection.
/// </summary>
[Collection(ConnectorsCollection.Name)]
public sealed class ConnectorResilienceTests(ConnectorsSystem system, Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    public Task InitializeAsync() => system.ResetFakeAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_breaker_opens_after_5_failures_in_a_row_lets_one_probe_through_after_the_break_and_closes_when_it_succeeds()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectApiKeyAsync(tenant.Client);
        await ConnectorsSystem.RecordsRouteAsync(tenant.Client, connection, "down-");
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/records/down-", Count: null, Status: 500));

        for (var i = 0; i < 6; i++) await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice($"in_down{i}", i));

        await Eventually.HoldsAsync(async () => await system.ScalarAsync<string?>(
            "select circuit_state from connector_connection_state where connection_id = @c", ("c", connection)) == "open", TimeSpan.FromSeconds(30), "the circuit opened");
        var atOpen = (await system.ReceivedAsync("/api/records/down-")).Count;
        // Calls in flight when it opened may still end; at most one per connection is (MaxConcurrentPerConnection of the test provider).
        atOpen.ShouldBeInRange(5, 5 + 4);

        // While it is open nothing is sent; after the break exactly one probe goes, fails, and opens it again for longer.
        await Task.Delay(ConnectorsSystem.BreakDuration / 2);
        (await system.ReceivedAsync("/api/records/down-")).Count.ShouldBe(atOpen, "nothing is sent while the circuit is open");
        await Eventually.HoldsAsync(async () => (await system.ReceivedAsync("/api/records/down-")).Count > atOpen, TimeSpan.FromSeconds(10), "a probe after the break");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        (await system.ReceivedAsync("/api/records/down-")).Count.ShouldBe(atOpen + 1, "one probe, then open again");

        var calls = await ConnectorsSystem.CallsAsync(tenant.Client, connection);
        var held = await Task.WhenAll(calls.Select(c => ConnectorsSystem.CallAsync(tenant.Client, connection, c.Id())));
        held.SelectMany(c => c.Attempts()).ShouldContain(a => a.GetProperty("error_kind").GetString() == "circuit_open" && !a.GetProperty("sent").GetBoolean());

        // Open through a failed probe for longer than Connectors:CircuitBreaker:IncidentAfter: one incident for the tenant.
        await Eventually.HoldsAsync(async () => (await system.IncidentEventsAsync(tenant.TenantId, IncidentKinds.BreakerOpen, connection)).Count > 0,
            TimeSpan.FromSeconds(15), "the breaker incident opened");

        // The provider recovers: the next probe succeeds, the circuit closes and every call completes (the failed ones by replay).
        await system.Fake.Control.ClearFaultsAsync();
        await Eventually.HoldsAsync(async () => await system.ScalarAsync<string?>(
            "select circuit_state from connector_connection_state where connection_id = @c", ("c", connection)) == "closed", TimeSpan.FromSeconds(30), "the circuit closed");
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.All(x => x.Status() != "pending"), TimeSpan.FromSeconds(30), "none left pending");
        await tenant.Client.PostAsync($"/api/v1/connections/{connection}/calls/replay", null);
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 6 && c.All(x => x.Status() == "succeeded"), TimeSpan.FromSeconds(30),
            "all six delivered");
        await Eventually.HoldsAsync(async () => (await system.IncidentEventsAsync(tenant.TenantId, IncidentKinds.BreakerOpen, connection)).Contains("IncidentResolved"),
            TimeSpan.FromSeconds(15), "the breaker incident resolved");
        (await system.IncidentEventsAsync(tenant.TenantId, IncidentKinds.BreakerOpen, connection)).Count(e => e == "IncidentOpened").ShouldBe(1, "one incident, not one per failure");
    }

    [Fact]
    public async Task A_quota_makes_calls_wait_for_the_next_window_and_all_of_them_complete()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectApiKeyAsync(tenant.Client, ConnectorsSystem.MeteredProvider);
        await ConnectorsSystem.RecordsRouteAsync(tenant.Client, connection, "metered-");
        const int events = 8;

        for (var i = 0; i < events; i++) await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice($"in_q{i}", i));

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == events && c.All(x => x.Status() == "succeeded"),
            TimeSpan.FromSeconds(60), "every call completed");
        var sent = await system.ReceivedAsync("/api/records/metered-");
        sent.Count.ShouldBe(events, "each call sent once: waiting for the quota is no failed attempt");
        var perWindow = sent.GroupBy(r => r.ReceivedAt.ToUnixTimeSeconds() / (long)ConnectorsSystem.MeteredPeriod.TotalSeconds).Select(g => g.Count()).ToList();
        output.WriteLine("calls per 5 s window: " + string.Join(", ", perWindow));
        perWindow.ShouldAllBe(n => n <= ConnectorsSystem.MeteredLimit);
        perWindow.Count.ShouldBeGreaterThanOrEqualTo(3, "8 calls at 3 per window take three windows");
        var waits = (await Task.WhenAll(calls.Select(c => ConnectorsSystem.CallAsync(tenant.Client, connection, c.Id())))).SelectMany(c => c.Attempts())
            .Where(a => a.GetProperty("error_kind").GetString() == "quota_wait").ToList();
        waits.ShouldNotBeEmpty();
        waits.ShouldAllBe(a => !a.GetProperty("sent").GetBoolean());
    }

    [Fact]
    public async Task A_hanging_and_an_always_failing_provider_beside_a_healthy_connection_do_not_slow_it()
    {
        var tenant = await system.TenantAsync();
        var (healthy, _) = await system.ConnectApiKeyAsync(tenant.Client);
        var (hanging, _) = await system.ConnectApiKeyAsync(tenant.Client);
        var (failing, _) = await system.ConnectApiKeyAsync(tenant.Client);
        await ConnectorsSystem.RecordsRouteAsync(tenant.Client, healthy, "fine-");
        await ConnectorsSystem.RecordsRouteAsync(tenant.Client, hanging, "hang-");
        await ConnectorsSystem.RecordsRouteAsync(tenant.Client, failing, "fail-");
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/records/hang-", Count: null, Hang: true));
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/records/fail-", Count: null, Status: 500));

        // Each event goes to all three connections' routes.
        var clock = Stopwatch.StartNew();
        const int events = 20;
        for (var i = 0; i < events; i++) await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice($"in_iso{i}", i));
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, healthy, c => c.Count == events && c.All(x => x.Status() == "succeeded"), TimeSpan.FromSeconds(30),
            "the healthy connection's calls completed");
        output.WriteLine($"healthy connection: {events} calls done {clock.Elapsed.TotalSeconds:F1} s after the first event");
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10), "neither a hanging provider (3 s timeouts) nor a failing one holds up the healthy connection");
        (await system.ReceivedAsync("/api/records/hang-")).Count.ShouldBeGreaterThan(0);
        (await ConnectorsSystem.CallsAsync(tenant.Client, hanging)).ShouldAllBe(c => c.Status() == "pending");
        await system.Fake.Control.ClearFaultsAsync();
    }
}
