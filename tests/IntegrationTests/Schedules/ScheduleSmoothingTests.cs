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
        var (tenant, connection, _) = await system.FreshStartAsync(ConnectorsSystem.MeteredProvider);
        // Our quota allows three calls a window. Calls counted at the end of one of our windows can
        // reach the provider in its next one (on a loaded machine, several of them), so one provider
        // window may see two of ours: it allows six, which seven calls at once, without our quota, would exceed.
        await system.Fake.Control.SetRateLimitsAsync(new FakeRateLimit(2 * ConnectorsSystem.MeteredLimit, (int)ConnectorsSystem.MeteredPeriod.TotalSeconds,
            "/api/records", Per: "credential"));
        var schedules = await SchedulesSystem.PollRecordsManyAsync(tenant.Client, connection, 7);
        await using var runner = await system.StartRunnerAsync(new Dictionary<string, string?>
        {
            ["Schedules:MaxConcurrentPerConnection"] = "10", ["Schedules:MaxConcurrentPerTenant"] = "10",
        });

        foreach (var schedule in schedules) await SchedulesSystem.RunNowAsync(tenant.Client, schedule);
        await Eventually.HoldsAsync(async () => await system.CountRunsAsync(schedules, "status <> 'running'") == schedules.Count, SchedulesSystem.Soon, "every run ended");

        var others = await system.ScalarAsync<string>(
            "select coalesce(string_agg(status || ': ' || coalesce(error, ''), '; '), '') from schedule_runs where schedule_id = any(@ids) and status <> 'succeeded'",
            ("ids", schedules.ToArray()));
        others.ShouldBeEmpty("no run met a 429 (a 429 fails an http_poll run)");
        var scope = $"connection:{connection}";
        (await system.ScalarAsync<int>("select max(used) from connector_quota_usage where scope = @scope", ("scope", scope))).ShouldBe(ConnectorsSystem.MeteredLimit);
        (await system.ScalarAsync<long>("select count(*) from connector_quota_usage where scope = @scope", ("scope", scope)))
            .ShouldBeGreaterThanOrEqualTo(3, "seven calls at three a window took at least three windows: the runs waited");
        (await system.ReceivedAsync("/api/records")).Count(r => r.Method == "GET").ShouldBe(schedules.Count);
    }

    [Fact]
    public async Task Runs_of_one_connection_are_bounded_across_processes_by_its_concurrency_limit()
    {
        var (tenant, connection, _) = await system.FreshStartAsync();
        var schedules = await SchedulesSystem.PollRecordsManyAsync(tenant.Client, connection, 4);
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/records", Count: null, DelayMs: 400));
        // Two processes; one run per connection at once (the default), counted across both.
        await using var first = await system.StartRunnerAsync();
        await using var second = await system.StartRunnerAsync();

        foreach (var schedule in schedules) await SchedulesSystem.RunNowAsync(tenant.Client, schedule);
        await Eventually.HoldsAsync(async () => await system.CountRunsAsync(schedules, "status = 'succeeded'") == schedules.Count, SchedulesSystem.Soon,
            "every run ended");
        (await system.OverlappingRunsAsync(schedules, "connection_id")).ShouldBe(0, "no two runs through the connection overlapped");
        await system.Fake.Control.ClearFaultsAsync();
    }
}
