using Integrations.Domain.Webhooks;
using Shouldly;

namespace Integrations.Domain.UnitTests.Webhooks;

public class RetryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
    private static readonly AttemptOutcome ServerError = new(500, null, null);

    [Fact]
    public void Success_is_done()
    {
        RetryPolicy.Next(1, new AttemptOutcome(204, null, null), RetryPolicy.DefaultSchedule, Now, 0.5).ShouldBeOfType<NextStep.Done>();
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 5)]
    [InlineData(3, 30)]
    public void Failures_retry_on_the_schedule_without_jitter_at_the_midpoint(int attempt, int minutes)
    {
        RetryPolicy.Next(attempt, ServerError, RetryPolicy.DefaultSchedule, Now, 0.5)
            .ShouldBe(new NextStep.RetryAt(Now.AddMinutes(minutes)));
    }

    [Theory]
    [InlineData(0.0, 0.9)]
    [InlineData(0.999999, 1.1)]
    public void Jitter_stays_within_ten_percent(double random, double factor)
    {
        var next = (NextStep.RetryAt)RetryPolicy.Next(2, ServerError, RetryPolicy.DefaultSchedule, Now, random);
        (next.At - Now).TotalSeconds.ShouldBe(300 * factor, 0.01);
    }

    [Fact]
    public void After_the_last_retry_the_delivery_is_dead_lettered()
    {
        RetryPolicy.Next(4, ServerError, RetryPolicy.DefaultSchedule, Now, 0.5).ShouldBe(new NextStep.DeadLetter("retries_exhausted"));
    }

    [Fact]
    public void Gone_is_final_at_once()
    {
        RetryPolicy.Next(1, new AttemptOutcome(410, null, null), RetryPolicy.DefaultSchedule, Now, 0.5).ShouldBe(new NextStep.DeadLetter("gone"));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public void A_longer_retry_after_on_429_or_503_is_honoured_and_capped_at_a_day(int status)
    {
        RetryPolicy.Next(1, new AttemptOutcome(status, null, TimeSpan.FromMinutes(10)), RetryPolicy.DefaultSchedule, Now, 0.5)
            .ShouldBe(new NextStep.RetryAt(Now.AddMinutes(10)));
        RetryPolicy.Next(1, new AttemptOutcome(status, null, TimeSpan.FromDays(3)), RetryPolicy.DefaultSchedule, Now, 0.5)
            .ShouldBe(new NextStep.RetryAt(Now.AddDays(1)));
        RetryPolicy.Next(2, new AttemptOutcome(status, null, TimeSpan.FromSeconds(1)), RetryPolicy.DefaultSchedule, Now, 0.5)
            .ShouldBe(new NextStep.RetryAt(Now.AddMinutes(5)), "a shorter Retry-After does not shorten the schedule");
    }

    [Fact]
    public void Retry_after_on_other_statuses_is_ignored()
    {
        RetryPolicy.Next(1, new AttemptOutcome(500, null, TimeSpan.FromHours(1)), RetryPolicy.DefaultSchedule, Now, 0.5)
            .ShouldBe(new NextStep.RetryAt(Now.AddMinutes(1)));
    }

    [Fact]
    public void Network_errors_are_failures_that_retry()
    {
        RetryPolicy.Next(1, new AttemptOutcome(null, "timeout", null), RetryPolicy.DefaultSchedule, Now, 0.5).ShouldBeOfType<NextStep.RetryAt>();
    }

    [Theory]
    [InlineData("1s,2s,3s", new[] { 1.0, 2.0, 3.0 })]
    [InlineData("1m, 5m ,30m", new[] { 60.0, 300.0, 1800.0 })]
    [InlineData("1h", new[] { 3600.0 })]
    [InlineData("00:01:00,00:05:00", new[] { 60.0, 300.0 })]
    [InlineData("0.5s", new[] { 0.5 })]
    public void Schedules_parse_from_configuration(string text, double[] seconds)
    {
        RetryPolicy.ParseSchedule(text).Select(t => t.TotalSeconds).ShouldBe(seconds);
    }

    [Theory]
    [InlineData("5x")]
    [InlineData("-1s")]
    [InlineData("abc")]
    public void Bad_schedules_are_refused(string text)
    {
        Should.Throw<FormatException>(() => RetryPolicy.ParseSchedule(text));
    }
}
