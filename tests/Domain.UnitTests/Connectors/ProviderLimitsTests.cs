using Integrations.Domain.Connectors;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors;

public class ProviderLimitsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 15, 30, TimeSpan.Zero);

    private static Func<string, string?> Headers(params (string Name, string Value)[] headers) =>
        name => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

    [Theory]
    [InlineData("30", 30)]
    [InlineData("1.5", 1.5)]
    [InlineData("Sun, 06 Dec 2026 09:16:00 GMT", 30)]
    [InlineData("Sun, 06 Dec 2026 09:00:00 GMT", 0)]
    public void Retry_after_reads_seconds_and_http_dates(string value, double seconds)
    {
        RateLimitSignals.RetryAfter(value, Now).ShouldBe(TimeSpan.FromSeconds(seconds));
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("soon")]
    [InlineData("")]
    public void A_retry_after_that_is_no_time_is_no_wait(string value) => RateLimitSignals.RetryAfter(value, Now).ShouldBeNull();

    [Fact]
    public void A_retry_after_beyond_a_day_is_capped() => RateLimitSignals.RetryAfter("9999999", Now).ShouldBe(TimeSpan.FromDays(1));

    [Fact]
    public void Exact_onlines_minutely_reset_is_epoch_milliseconds()
    {
        var reset = Now.AddSeconds(30).ToUnixTimeMilliseconds().ToString();
        var signal = RateLimitSignals.Read(Headers(("X-RateLimit-Minutely-Remaining", "0"), ("X-RateLimit-Minutely-Reset", reset)),
            new RateLimitHeaders("X-RateLimit-Minutely-Remaining", "X-RateLimit-Minutely-Reset", ResetFormat.EpochMilliseconds), Now);

        signal.Remaining.ShouldBe(0);
        signal.ResetAt.ShouldBe(Now.AddSeconds(30));
        signal.NotBefore(Now).ShouldBe(Now.AddSeconds(30), "nothing remains: wait for the reset");
    }

    [Fact]
    public void Jiras_reset_is_an_iso_instant_and_a_remainder_means_go()
    {
        var signal = RateLimitSignals.Read(Headers(("X-RateLimit-Remaining", "12"), ("X-RateLimit-Reset", "2026-12-06T09:17:00Z")),
            new RateLimitHeaders("X-RateLimit-Remaining", "X-RateLimit-Reset", ResetFormat.Iso8601), Now);

        signal.ResetAt.ShouldBe(new DateTimeOffset(2026, 12, 6, 9, 17, 0, TimeSpan.Zero));
        signal.NotBefore(Now).ShouldBeNull("calls remain");
    }

    [Fact]
    public void Hubspots_interval_is_milliseconds_from_now_and_counts_only_once_nothing_remains()
    {
        var spec = new RateLimitHeaders("X-HubSpot-RateLimit-Remaining", "X-HubSpot-RateLimit-Interval-Milliseconds", ResetFormat.MillisecondsFromNow);

        var exhausted = RateLimitSignals.Read(Headers(("X-HubSpot-RateLimit-Remaining", "0"), ("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")), spec, Now);
        var left = RateLimitSignals.Read(Headers(("X-HubSpot-RateLimit-Remaining", "42"), ("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")), spec, Now);

        exhausted.NotBefore(Now).ShouldBe(Now.AddSeconds(10));
        left.NotBefore(Now).ShouldBeNull();
    }

    [Fact]
    public void The_later_of_retry_after_and_the_reset_wins()
    {
        new RateLimitSignal(TimeSpan.FromSeconds(5), 0, Now.AddSeconds(20)).NotBefore(Now).ShouldBe(Now.AddSeconds(20));
        new RateLimitSignal(TimeSpan.FromSeconds(50), 0, Now.AddSeconds(20)).NotBefore(Now).ShouldBe(Now.AddSeconds(50));
        new RateLimitSignal(null, null, null).NotBefore(Now).ShouldBeNull();
    }

    [Theory]
    [InlineData("EpochSeconds", "1796548560")]
    [InlineData("SecondsFromNow", "30")]
    public void Other_reset_formats(string format, string value)
    {
        var signal = RateLimitSignals.Read(Headers(("R", value)), new RateLimitHeaders(null, "R", Enum.Parse<ResetFormat>(format)), Now);
        signal.ResetAt.ShouldNotBeNull();
        signal.ResetAt!.Value.ShouldBeGreaterThan(Now);
    }

    [Fact]
    public void Quota_windows_start_on_the_minute_and_at_midnight_utc()
    {
        new Quota(60, TimeSpan.FromMinutes(1)).WindowOf(Now).ShouldBe((new DateTimeOffset(2026, 12, 6, 9, 15, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 6, 9, 16, 0, TimeSpan.Zero)));
        new Quota(5000, TimeSpan.FromDays(1)).WindowOf(Now).ShouldBe((new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero)));
    }
}
