using Integrations.IntegrationTests.Connectors;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Schedules;

/// <summary>Runs bounded by the concurrency limits and by the provider's quota: a run waits for quota instead of collecting 429s.</summary>
[Collection(SchedulesCollection.Name)]
public sealed class ScheduleSmoothingTests(SchedulesSystem system)
{
    [Fact]
    public async Task Runs_through_one_connection_wait_for_its_quota_and_the_provider_never_answers_429()
    {
        await system.ResetFakeAsync();
        await system.PauseLeftoversAsync();
        // The provider refuses a fifth call in a window; our quota for it allows three (a call straddling a window edge cannot make it four).
        await system.Fake.Control.SetRateLimitsAsync(new FakeRateLimit(ConnectorsSystem.MeteredLimit + 1, (int)ConnectorsSystem.MeteredPeriod.TotalSeconds,
            "/api/records", Per: "credential"));
        var tenant = await system.TenantAsync();
        var (connection, key) = await system.ConnectApiKeyAsync(tenant.Client, ConnectorsSystem.MeteredProvider);
        await system.PutRecordAsync(key, "r1", 1);
        var schedules = new List<Guid>();
        for (var i = 0; i < 7; i++) schedules.Add(await SchedulesSystem.PollRecordsAsync(tenant.Client, connection));
        await using var runner = await system.StartRunnerAsync(new Dictionary<string, string?>
        {
            ["Schedules:MaxConcurrentPerConnection"] = "10", ["Schedules:MaxConcurrentPerTenant"] = "10",
        });

        foreach (var schedule in schedules) await SchedulesSystem.RunNowAsync(tenant.Client, schedule);
        await Eventually.HoldsAsync(async () => await system.ScalarAsync<long>(
                "select count(*) from schedule_runs where schedule_id = any(@ids) and status <> 'running'", ("ids", schedules.ToArray())) == schedules.Count,
            SchedulesSystem.Soon, "every run ended");

        (await system.ScalarAsync<long>("select count(*) from schedule_runs where schedule_id = any(@ids) and status = 'succeeded'", ("ids", schedules.ToArray())))
            .ShouldBe(schedules.Count, "no run met a 429 (a 429 fails an http_poll run)");
        var scope = $"connection:{connection}";
        (await system.ScalarAsync<int>("select max(used) from connector_quota_usage where scope = @scope", ("scope", scope))).ShouldBe(ConnectorsSystem.MeteredLimit);
        (await system.ScalarAsync<long>("select count(*) from connector_quota_usage where scope = @scope", ("scope", scope)))
            .ShouldBeGreaterThanOrEqualTo(3, "seven calls at three a window took at least three windows: the runs waited");
        (await system.ReceivedAsync("/api/records")).Count(r => r.Method == "GET").ShouldBe(schedules.Count);
    }

    [Fact]
    public async Task Runs_of_one_connection_are_bounded_across_processes_by_its_concurrency_limit()
    {
        await system.ResetFakeAsync();
        await system.PauseLeftoversAsync();
        var tenant = await system.TenantAsync();
        var (connection, key) = await system.ConnectApiKeyAsync(tenant.Client);
        await system.PutRecordAsync(key, "r1", 1);
        var schedules = new List<Guid>();
        for (var i = 0; i < 4; i++) schedules.Add(await SchedulesSystem.PollRecordsAsync(tenant.Client, connection));
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/records", Count: null, DelayMs: 400));
        // Two processes; one run per connection at once (the default), counted across both.
        await using var first = await system.StartRunnerAsync();
        await using var second = await system.StartRunnerAsync();

        foreach (var schedule in schedules) await SchedulesSystem.RunNowAsync(tenant.Client, schedule);
        await Eventually.HoldsAsync(async () => await system.ScalarAsync<long>(
                "select count(*) from schedule_runs where schedule_id = any(@ids) and status = 'succeeded'", ("ids", schedules.ToArray())) == schedules.Count,
            SchedulesSystem.Soon, "every run ended");
        (await system.ScalarAsync<long>("""
            select count(*) from schedule_runs a join schedule_runs b on a.connection_id = b.connection_id and a.id < b.id
            where a.schedule_id = any(@ids) and tstzrange(a.started_at, a.finished_at) && tstzrange(b.started_at, b.finished_at)
            """, ("ids", schedules.ToArray()))).ShouldBe(0, "no two runs through the connection overlapped");
        await system.Fake.Control.ClearFaultsAsync();
    }
}
