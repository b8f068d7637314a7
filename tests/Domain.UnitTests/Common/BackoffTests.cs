using Integrations.Domain.Common;
using Shouldly;

namespace Integrations.Domain.UnitTests.Common;

public class BackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    [Fact]
    public void Each_retry_doubles_the_wait_up_to_the_maximum()
    {
        Backoff.Exponential(Base, 0, Max, 0.5).ShouldBe(TimeSpan.FromSeconds(1));
        Backoff.Exponential(Base, 1, Max, 0.5).ShouldBe(TimeSpan.FromSeconds(2));
        Backoff.Exponential(Base, 3, Max, 0.5).ShouldBe(TimeSpan.FromSeconds(8));
        Backoff.Exponential(Base, 5, Max, 0.5).ShouldBe(Max, "32 s is capped");
        Backoff.Exponential(Base, 500, Max, 0.5).ShouldBe(Max, "no overflow on long runs");
    }

    [Fact]
    public void Jitter_stays_within_ten_percent_and_never_passes_the_maximum()
    {
        Backoff.Exponential(Base, 0, Max, 0).ShouldBe(TimeSpan.FromMilliseconds(900));
        Backoff.Exponential(Base, 0, Max, 0.999999).ShouldBe(TimeSpan.FromMilliseconds(1100), TimeSpan.FromMilliseconds(1));
        Backoff.Exponential(Base, 2, Max, 0).ShouldBe(TimeSpan.FromMilliseconds(3600));
        Backoff.Exponential(Base, 5, Max, 0.999999).ShouldBe(Max, "jitter above the cap is cut");
        Backoff.Exponential(Base, 5, Max, 0).ShouldBe(TimeSpan.FromSeconds(27), "jitter below the cap still spreads capped retries");
    }
}
