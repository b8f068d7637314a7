using Integrations.Domain.Common;
using Integrations.Domain.Scheduling;
using Shouldly;

namespace Integrations.Domain.UnitTests.Scheduling;

public class ScheduleDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Next = Now.AddMinutes(5);
    private static readonly Guid Id = Guid.Parse("0193f0a0-0000-7000-8000-0000000000d2");
    private static readonly Guid Tenant = Guid.Parse("0193f0a0-0000-7000-8000-0000000000a2");
    private static readonly Guid Connection = Guid.Parse("0193f0a0-0000-7000-8000-0000000000c2");

    private static CreateSchedule Create => new(Id, Tenant, Connection, "http", "Nightly", "http_poll", """{"path":"/items"}""",
        ScheduleTiming.OnCron("0 2 * * *", "Europe/Amsterdam"), null, Next, Now);

    private static ScheduleState Created => Fold(ScheduleDecider.Decide(Create, ScheduleState.None));

    private static ScheduleState Fold(IEnumerable<IScheduleEvent> events, ScheduleState? from = null) =>
        events.Aggregate(from ?? ScheduleState.None, ScheduleDecider.Evolve);

    [Fact]
    public void A_schedule_is_created_active_with_its_first_occurrence()
    {
        var created = ScheduleDecider.Decide(Create, ScheduleState.None).Single().ShouldBeOfType<ScheduleCreated>();
        created.FirstDueAt.ShouldBe(Next);
        created.Provider.ShouldBe("http");
        Created.Exists.ShouldBeTrue();
        Created.Paused.ShouldBeFalse();
        Created.ConnectionId.ShouldBe(Connection);
        Should.Throw<DomainException>(() => ScheduleDecider.Decide(Create, Created)).Code.ShouldBe("schedule_exists");
    }

    [Theory]
    [InlineData(null, null, null, "needs cron")]
    [InlineData("* * * * *", null, 60, "not both")]
    [InlineData("* * * * *", null, null, "time_zone is required")]
    [InlineData(" ", "UTC", null, "must not be empty")]
    [InlineData(null, null, 29, "at least 30")]
    [InlineData(null, null, -1, "at least 30")]
    public void A_timing_is_a_cron_with_its_zone_or_an_interval_of_at_least_30_seconds(string? cron, string? zone, int? interval, string message)
    {
        var refused = Should.Throw<DomainException>(() => ScheduleDecider.Decide(Create with { Timing = new(cron, zone, interval) }, ScheduleState.None));
        refused.Code.ShouldBe("invalid_schedule");
        refused.Message.ShouldContain(message);
    }

    [Fact]
    public void An_interval_of_30_seconds_is_the_shortest_accepted_and_drops_a_stray_time_zone()
    {
        var created = ScheduleDecider.Decide(Create with { Timing = new(null, "UTC", 30) }, ScheduleState.None).Single().ShouldBeOfType<ScheduleCreated>();
        created.Timing.ShouldBe(ScheduleTiming.Every(30));
    }

    [Fact]
    public void Names_job_kinds_and_maximum_run_times_are_checked()
    {
        Should.Throw<DomainException>(() => ScheduleDecider.Decide(Create with { JobKind = " " }, ScheduleState.None)).Code.ShouldBe("invalid_schedule");
        Should.Throw<DomainException>(() => ScheduleDecider.Decide(Create with { Name = new string('n', 201) }, ScheduleState.None)).Code.ShouldBe("invalid_schedule");
        Should.Throw<DomainException>(() => ScheduleDecider.Decide(Create with { MaxRunSeconds = 0 }, ScheduleState.None)).Code.ShouldBe("invalid_schedule");
        Should.Throw<DomainException>(() => ScheduleDecider.Decide(Create with { MaxRunSeconds = 86_401 }, ScheduleState.None)).Code.ShouldBe("invalid_schedule");
        ScheduleDecider.Decide(Create with { Name = "" }, ScheduleState.None).Single().ShouldBeOfType<ScheduleCreated>().Name.ShouldBeNull();
    }

    [Fact]
    public void Pause_and_resume_record_only_a_change_and_resume_carries_the_next_occurrence()
    {
        var paused = Fold(ScheduleDecider.Decide(new PauseSchedule(Now), Created), Created);
        paused.Paused.ShouldBeTrue();
        ScheduleDecider.Decide(new PauseSchedule(Now), paused).ShouldBeEmpty("pausing twice changes nothing");

        var later = Now.AddHours(3);
        var resumed = ScheduleDecider.Decide(new ResumeSchedule(later, Now), paused).Single().ShouldBeOfType<ScheduleResumed>();
        resumed.NextDueAt.ShouldBe(later);
        Fold([resumed], paused).Paused.ShouldBeFalse();
        ScheduleDecider.Decide(new ResumeSchedule(later, Now), Created).ShouldBeEmpty("an active schedule is not resumed");
    }

    [Fact]
    public void Run_now_is_recorded_each_time_also_while_paused()
    {
        ScheduleDecider.Decide(new RunScheduleNow(Now), Created).Single().ShouldBeOfType<ScheduleRunRequested>();
        var paused = Fold(ScheduleDecider.Decide(new PauseSchedule(Now), Created), Created);
        ScheduleDecider.Decide(new RunScheduleNow(Now), paused).Single().ShouldBeOfType<ScheduleRunRequested>();
    }

    [Fact]
    public void An_update_merges_and_moves_the_due_time_only_when_the_timing_changes()
    {
        ScheduleDecider.Decide(new UpdateSchedule("Nightly", null, Create.Timing, null, null, Now), Created).ShouldBeEmpty();

        var renamed = ScheduleDecider.Decide(new UpdateSchedule("", null, null, 600, null, Now), Created).Single().ShouldBeOfType<ScheduleUpdated>();
        renamed.Name.ShouldBeNull();
        renamed.MaxRunSeconds.ShouldBe(600);
        renamed.NextDueAt.ShouldBeNull("the timing did not change");
        renamed.Timing.ShouldBe(Create.Timing);

        var retimed = ScheduleDecider.Decide(new UpdateSchedule(null, null, ScheduleTiming.Every(45), null, Next, Now), Created).Single()
            .ShouldBeOfType<ScheduleUpdated>();
        retimed.NextDueAt.ShouldBe(Next);
        Fold([retimed], Created).Timing.ShouldBe(ScheduleTiming.Every(45));
        Should.Throw<DomainException>(() => ScheduleDecider.Decide(new UpdateSchedule(null, null, ScheduleTiming.Every(10), null, Next, Now), Created))
            .Code.ShouldBe("invalid_schedule");
    }

    [Fact]
    public void A_deleted_or_unknown_schedule_takes_no_command()
    {
        var deleted = Fold(ScheduleDecider.Decide(new DeleteSchedule(Now), Created), Created);
        deleted.Exists.ShouldBeFalse();
        foreach (ScheduleCommand command in new ScheduleCommand[] { new PauseSchedule(Now), new RunScheduleNow(Now), new DeleteSchedule(Now) })
        {
            Should.Throw<DomainException>(() => ScheduleDecider.Decide(command, deleted)).Code.ShouldBe("schedule_not_found");
            Should.Throw<DomainException>(() => ScheduleDecider.Decide(command, ScheduleState.None)).Code.ShouldBe("schedule_not_found");
        }
    }

    [Fact]
    public void Smoothing_spreads_schedules_over_the_window_and_keeps_each_ones_offset()
    {
        var window = TimeSpan.FromMinutes(10);
        var ids = Enumerable.Range(0, 2000).Select(_ => Guid.NewGuid()).ToList();
        var offsets = ids.Select(id => ScheduleSmoothing.Offset(id, window)).ToList();
        offsets.ShouldAllBe(o => o >= TimeSpan.Zero && o < window);
        // Ten buckets of a minute each hold a tenth, give or take: no minute gets the crowd.
        offsets.GroupBy(o => (int)o.TotalMinutes).Select(g => g.Count()).ShouldAllBe(n => n > 120 && n < 280);
        ScheduleSmoothing.Offset(Id, window).ShouldBe(ScheduleSmoothing.Offset(Id, window));
        ScheduleSmoothing.Offset(Id, TimeSpan.Zero).ShouldBe(TimeSpan.Zero);
        ScheduleSmoothing.DueAt(Id, Now, window).ShouldBe(Now + ScheduleSmoothing.Offset(Id, window));
    }
}
