using System.Net;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Schedules;

/// <summary>The schedules pipeline in real Workers processes: http_poll against the provider fake, checkpoints, overlap, crash recovery, run time.</summary>
[Collection(SchedulesCollection.Name)]
public sealed class ScheduleRunnerTests(SchedulesSystem system)
{
    /// <summary>An HTTP timeout far beyond the tests' waits: a hanging provider ends runs only by a kill or the maximum run time.</summary>
    private static readonly Dictionary<string, string?> PatientHttp = new() { ["Connectors:Timeout"] = "00:02:00" };

    [Fact]
    public async Task Http_poll_emits_each_new_item_once_across_runs_and_leaves_its_checkpoint()
    {
        var (tenant, connection, key) = await system.FreshStartAsync();
        await system.PutRecordAsync(key, "r2", 2);
        var schedule = await SchedulesSystem.PollRecordsAsync(tenant.Client, connection);
        await using var runner = await system.StartRunnerAsync();

        await SchedulesSystem.RunNowAsync(tenant.Client, schedule);
        var first = (await SchedulesSystem.WaitForRunsAsync(tenant.Client, schedule, r => r.Count == 1 && r[0].Outcome() == "succeeded", "the first run")).Single();
        first.GetProperty("trigger").GetString().ShouldBe("run_now");
        first.GetProperty("records_read").GetInt32().ShouldBe(2);
        first.GetProperty("records_written").GetInt32().ShouldBe(2);
        first.GetProperty("checkpoint").GetString().ShouldBe("2");
        first.GetProperty("duration_ms").GetInt64().ShouldBeGreaterThanOrEqualTo(0);
        (await SchedulesSystem.EmittedAsync(tenant.Client, schedule)).ShouldBe(["r1", "r2"]);
        var polled = (await system.ReceivedAsync("/api/records")).Where(r => r.Method == "GET").ToList();
        polled.ShouldHaveSingleItem("one poll, with the connection's credentials").Headers.GetValueOrDefault("authorization").ShouldBe($"Bearer {key}");

        await system.PutRecordAsync(key, "r3", 3);
        // The next occurrence comes (brought forward: intervals are at least 30 s).
        await system.ScalarAsync<int>("update schedules set next_due_at = now() where id = @id returning 1", ("id", schedule));
        var second = (await SchedulesSystem.WaitForRunsAsync(tenant.Client, schedule, r => r.Count == 2 && r[0].Outcome() == "succeeded", "the occurrence"))[0];
        second.GetProperty("trigger").GetString().ShouldBe("schedule");
        second.GetProperty("records_read").GetInt32().ShouldBe(3);
        second.GetProperty("records_written").GetInt32().ShouldBe(1);
        second.GetProperty("checkpoint").GetString().ShouldBe("3");
        var after = await (await tenant.Client.GetAsync($"/api/v1/schedules/{schedule}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        after.GetProperty("checkpoint").GetString().ShouldBe("3");
        after.GetProperty("next_run_at").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddSeconds(15), "the next occurrence is an interval later");

        await SchedulesSystem.RunNowAsync(tenant.Client, schedule);
        var third = (await SchedulesSystem.WaitForRunsAsync(tenant.Client, schedule, r => r.Count == 3 && r[0].Outcome() == "succeeded", "a run with nothing new"))[0];
        third.GetProperty("records_written").GetInt32().ShouldBe(0);
        third.GetProperty("checkpoint").GetString().ShouldBe("3");
        (await SchedulesSystem.EmittedAsync(tenant.Client, schedule)).ShouldBe(["r1", "r2", "r3"], "each item once");
    }

    [Fact]
    public async Task A_failing_poll_keeps_the_checkpoint_and_a_paused_schedule_runs_only_when_asked()
    {
        var (tenant, connection, key) = await system.FreshStartAsync();
        var schedule = await SchedulesSystem.PollRecordsAsync(tenant.Client, connection, new { paused = true });
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/records", Status: 503, Body: """{"error":"maintenance"}"""));
        await using var runner = await system.StartRunnerAsync();
        await system.ScalarAsync<int>("update schedules set next_due_at = now() where id = @id returning 1", ("id", schedule));

        await SchedulesSystem.RunNowAsync(tenant.Client, schedule);
        var failed = (await SchedulesSystem.WaitForRunsAsync(tenant.Client, schedule, r => r.Count == 1 && r[0].Outcome() != "running", "the run ends")).Single();
        failed.Outcome().ShouldBe("failed");
        failed.GetProperty("error").GetString()!.ShouldContain("503");
        failed.GetProperty("checkpoint").ValueKind.ShouldBe(JsonValueKind.Null);
        (await SchedulesSystem.EmittedAsync(tenant.Client, schedule)).ShouldBeEmpty();

        await SchedulesSystem.RunNowAsync(tenant.Client, schedule);
        var succeeded = (await SchedulesSystem.WaitForRunsAsync(tenant.Client, schedule, r => r.Count == 2 && r[0].Outcome() == "succeeded", "the next run"))[0];
        succeeded.GetProperty("records_written").GetInt32().ShouldBe(1, "what the failed run did not emit");
        (await SchedulesSystem.RunsAsync(tenant.Client, schedule)).Count.ShouldBe(2, "a paused schedule's occurrence does not run");
        (await SchedulesSystem.RunsAsync(tenant.Client, schedule, "&outcome=failed")).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_waited_out_within_the_run()
    {
        var (tenant, connection, _) = await system.FreshStartAsync();
        var schedule = await SchedulesSystem.PollRecordsAsync(tenant.Client, connection);
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/records", Status: 429, Body: """{"error":"slow down"}""",
            Headers: new Dictionary<string, string> { ["Retry-After"] = "1" }));
        await using var runner = await system.StartRunnerAsync();

        await SchedulesSystem.RunNowAsync(tenant.Client, schedule);
        var run = (await SchedulesSystem.WaitForRunsAsync(tenant.Client, schedule, r => r.Count == 1 && r[0].Outcome() != "running", "the run ends")).Single();
        run.Outcome().ShouldBe("succeeded", "the provider's 429 was waited out, not turned into a failed run");
        run.GetProperty("records_written").GetInt32().ShouldBe(1);
        var polled = (await system.ReceivedAsync("/api/records")).Where(r => r.Method == "GET").ToList();
        polled.Count.ShouldBe(2);
        (polled[1].ReceivedAt - polled[0].ReceivedAt).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.95), "not before Retry-After: 1");
    }

    [Fact]
    public async Task A_run_past_its_maximum_run_time_is_cancelled_and_recorded_timed_out()
    {
        var (tenant, connection, _) = await system.FreshStartAsync();
        var schedule = await SchedulesSystem.PollRecordsAsync(tenant.Client, connection, new { max_run_seconds = 1 });
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/records", Hang: true));
        await using var runner = await system.StartRunnerAsync(PatientHttp);

        await SchedulesSystem.RunNowAsync(tenant.Client, schedule);
        var run = (await SchedulesSystem.WaitForRunsAsync(tenant.Client, schedule, r => r.Count == 1 && r[0].Outcome() != "running", "the run ends")).Single();
        run.Outcome().ShouldBe("timed_out");
        run.GetProperty("duration_ms").GetInt64().ShouldBeGreaterThanOrEqualTo(1000);
        await system.Fake.Control.ClearFaultsAsync();
    }

    [Fact]
    public async Task A_run_whose_worker_is_killed_is_declared_lost_run_again_by_another_worker_and_the_schedule_goes_on()
    {
        var (tenant, connection, key) = await system.FreshStartAsync();
        var schedule = await SchedulesSystem.PollRecordsAsync(tenant.Client, connection);
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/records", Hang: true));

        var doomed = await system.StartRunnerAsync(PatientHttp);
        try
        {
            await SchedulesSystem.RunNowAsync(tenant.Client, schedule);
            await SchedulesSystem.WaitForRunsAsync(tenant.Client, schedule, r => r.Count == 1 && r[0].Outcome() == "running", "the run hangs at the provider");
            doomed.Kill();
            // The provider answers again (and lets go of the dead worker's request).
            await system.Fake.Control.ClearFaultsAsync();
        }
        finally
        {
            await doomed.DisposeAsync();
        }

        await using var survivor = await system.StartRunnerAsync(PatientHttp);
        var runs = await SchedulesSystem.WaitForRunsAsync(tenant.Client, schedule, r => r.Count == 2 && r[0].Outcome() == "succeeded", "the run is recovered");
        runs[1].Outcome().ShouldBe("lost");
        runs[1].GetProperty("error").GetString()!.ShouldContain("stopped heartbeating");
        runs[0].GetProperty("trigger").GetString().ShouldBe("retry");
        (await SchedulesSystem.EmittedAsync(tenant.Client, schedule)).ShouldBe(["r1"]);

        await system.PutRecordAsync(key, "r2", 2);
        await system.ScalarAsync<int>("update schedules set next_due_at = now() where id = @id returning 1", ("id", schedule));
        runs = await SchedulesSystem.WaitForRunsAsync(tenant.Client, schedule, r => r.Count == 3 && r[0].Outcome() == "succeeded", "the schedule goes on");
        runs[0].GetProperty("trigger").GetString().ShouldBe("schedule");
        (await SchedulesSystem.EmittedAsync(tenant.Client, schedule)).ShouldBe(["r1", "r2"]);
    }

    [Fact]
    public async Task The_database_refuses_a_second_running_run_of_one_schedule()
    {
        var tenant = await system.TenantAsync();
        var schedule = (await SchedulesSystem.CreateAsync(tenant.Client, new
        {
            interval_seconds = 60, paused = true, job = new { kind = "http_poll", config = new { url = "http://127.0.0.1:1/x", cursor_field = "seq" } },
        })).GetProperty("id").GetGuid();
        const string Insert = """
            insert into schedule_runs (id, schedule_id, tenant_id, trigger, status, worker, started_at, heartbeat_at, deadline_at)
            values (gen_random_uuid(), @schedule, @tenant, 'run_now', 'running', 'a-worker', now(), now(), now() + interval '1 minute') returning 1
            """;
        (await system.ScalarAsync<int>(Insert, ("schedule", schedule), ("tenant", tenant.TenantId))).ShouldBe(1);
        var refused = await Should.ThrowAsync<Npgsql.PostgresException>(() => system.ScalarAsync<int>(Insert, ("schedule", schedule), ("tenant", tenant.TenantId)));
        refused.SqlState.ShouldBe("23505");
        refused.ConstraintName.ShouldBe("schedule_runs_one_running_idx");
        await system.ScalarAsync<int>("update schedule_runs set status = 'failed', finished_at = now() where schedule_id = @schedule returning 1", ("schedule", schedule));
        (await system.ScalarAsync<int>(Insert, ("schedule", schedule), ("tenant", tenant.TenantId))).ShouldBe(1, "once the first ended, another may run");
        await system.ScalarAsync<int>("delete from schedule_runs where schedule_id = @schedule returning 1", ("schedule", schedule));
    }

    [Fact]
    public async Task Two_workers_never_run_one_schedule_twice_at_once_and_run_each_request_once()
    {
        var (tenant, connection, _) = await system.FreshStartAsync();
        var schedules = await SchedulesSystem.PollRecordsManyAsync(tenant.Client, connection, 8);
        // Slow answers keep runs in flight while the second requests arrive; the bounds are wide enough for all of them at once.
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/records", Count: null, DelayMs: 300));
        var wide = new Dictionary<string, string?>(PatientHttp) { ["Schedules:MaxConcurrentPerConnection"] = "20", ["Schedules:MaxConcurrentPerTenant"] = "20" };
        await using var first = await system.StartRunnerAsync(wide);
        await using var second = await system.StartRunnerAsync(wide);

        foreach (var schedule in schedules) await SchedulesSystem.RunNowAsync(tenant.Client, schedule);
        foreach (var schedule in schedules) await SchedulesSystem.RunNowAsync(tenant.Client, schedule);
        await Eventually.HoldsAsync(async () => await system.CountRunsAsync(schedules, "status = 'succeeded'") >= schedules.Count, SchedulesSystem.Soon, "every schedule ran");
        await Eventually.HoldsAsync(async () => await system.ScalarAsync<long>(
                "select count(*) from schedules where id = any(@ids) and requested_run is not null", ("ids", schedules.ToArray())) == 0
            && await system.CountRunsAsync(schedules, "status = 'running'") == 0, SchedulesSystem.Soon, "every request was taken and ended");

        (await system.CountRunsAsync(schedules)).ShouldBeInRange(schedules.Count, 2L * schedules.Count,
            "one run per request at most (a request arriving before its first run started is one run)");
        (await system.CountRunsAsync(schedules, "status <> 'succeeded'")).ShouldBe(0);
        (await system.OverlappingRunsAsync(schedules, "schedule_id")).ShouldBe(0, "no two runs of one schedule overlap");
        foreach (var schedule in schedules) (await SchedulesSystem.EmittedAsync(tenant.Client, schedule)).ShouldBe(["r1"], "each schedule emits the item once");
        await system.Fake.Control.ClearFaultsAsync();
    }
}
