using Integrations.Domain.Connections;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connections;

public class ConnectionPoliciesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);

    private static ConnectionState Connected(DateTimeOffset? expires, DateTimeOffset? retryAt = null) => ConnectionState.None with
    {
        ConnectionId = Guid.NewGuid(), Status = ConnectionStatuses.Connected, CredentialVersion = 1, AccessExpiresAt = expires, RefreshRetryAt = retryAt,
    };

    [Fact]
    public void A_token_is_refreshed_once_it_expires_within_the_buffer_unless_a_cooldown_holds()
    {
        var buffer = TimeSpan.FromMinutes(15);
        TokenPolicy.RefreshDue(Connected(Now.AddMinutes(16)), buffer, Now).ShouldBeFalse();
        TokenPolicy.RefreshDue(Connected(Now.AddMinutes(15)), buffer, Now).ShouldBeTrue();
        TokenPolicy.RefreshDue(Connected(Now.AddMinutes(-5)), buffer, Now).ShouldBeTrue("an expired token is refreshed too");
        TokenPolicy.RefreshDue(Connected(null), buffer, Now).ShouldBeFalse("a token without expiry is not refreshed on use");
        TokenPolicy.RefreshDue(Connected(Now.AddMinutes(1), retryAt: Now.AddSeconds(30)), buffer, Now).ShouldBeFalse("cooling down");
        TokenPolicy.RefreshDue(Connected(Now.AddMinutes(1), retryAt: Now), buffer, Now).ShouldBeTrue("the cooldown is over");
        TokenPolicy.RefreshDue(Connected(Now) with { Status = ConnectionStatuses.NeedsReauth }, buffer, Now).ShouldBeFalse("refused tokens are not retried");
    }

    [Fact]
    public void A_provider_with_a_refresh_window_is_asked_for_a_refresh_only_within_it()
    {
        var window = TimeSpan.FromSeconds(30);
        TokenPolicy.RefreshAllowed(Connected(Now.AddSeconds(31)), window, Now).ShouldBeFalse("Exact answers TooEarlyToRefreshTokens");
        TokenPolicy.RefreshAllowed(Connected(Now.AddSeconds(30)), window, Now).ShouldBeTrue();
        TokenPolicy.RefreshAllowed(Connected(Now.AddMinutes(-1)), window, Now).ShouldBeTrue("an expired token may always be refreshed");
        TokenPolicy.RefreshAllowed(Connected(Now.AddMinutes(50)), null, Now).ShouldBeTrue("no window: any time");
        TokenPolicy.RefreshAllowed(Connected(null), window, Now).ShouldBeTrue("no known expiry: nothing to wait for");
    }

    [Fact]
    public void Cooldowns_double_up_to_half_an_hour_and_jitter_only_shortens_them()
    {
        TokenPolicy.Cooldown(1, 0).ShouldBe(TimeSpan.FromSeconds(30));
        TokenPolicy.Cooldown(2, 0).ShouldBe(TimeSpan.FromSeconds(60));
        TokenPolicy.Cooldown(4, 0).ShouldBe(TimeSpan.FromSeconds(240));
        TokenPolicy.Cooldown(7, 0).ShouldBe(TimeSpan.FromMinutes(30));
        TokenPolicy.Cooldown(500, 0).ShouldBe(TimeSpan.FromMinutes(30));
        TokenPolicy.Cooldown(1, 0.999).ShouldBeInRange(TimeSpan.FromSeconds(24), TimeSpan.FromSeconds(24.1));
    }

    [Fact]
    public void Transient_refresh_failures_count_up_until_a_refresh_succeeds()
    {
        var id = Guid.NewGuid();
        var tenant = Guid.NewGuid();
        var state = ConnectionDecider.Decider.Fold([
            new ConnectionCreated(id, tenant, "http", "oauth2", null, "key:k", Now),
            new ConnectionAuthorized(id, tenant, "acct", null, [], 1, Now.AddHours(1), "key:k", Now),
            new TokenRefreshFailed(id, tenant, "server_error", false, Now.AddSeconds(30), Now),
            new TokenRefreshFailed(id, tenant, "server_error", false, Now.AddSeconds(90), Now.AddSeconds(31)),
        ]);
        state.RefreshFailuresInARow.ShouldBe(2);
        state.Status.ShouldBe(ConnectionStatuses.Connected, "transient failures do not flap the status");
        ConnectionDecider.Evolve(state, new TokenRefreshed(id, tenant, 2, Now.AddHours(2), false, Now.AddMinutes(2))).RefreshFailuresInARow.ShouldBe(0);
    }

    [Fact]
    public void Health_checks_keep_each_connection_in_its_own_phase_spread_over_the_interval()
    {
        var interval = TimeSpan.FromHours(1);
        var id = Guid.CreateVersion7();
        var next = HealthSchedule.NextCheck(id, interval, Now);
        next.ShouldBeGreaterThan(Now);
        next.ShouldBeLessThanOrEqualTo(Now + interval);
        HealthSchedule.NextCheck(id, interval, next).ShouldBe(next + interval, "the same phase every interval");
        HealthSchedule.NextCheck(id, interval, next.AddTicks(-1)).ShouldBe(next);

        // Ids made in the same millisecond (a bulk import) still land all over the hour.
        var buckets = Enumerable.Range(0, 6000).Select(_ => Guid.CreateVersion7(Now))
            .GroupBy(g => (int)((HealthSchedule.NextCheck(g, interval, Now) - Now).TotalMinutes / 10)).ToDictionary(b => b.Key, b => b.Count());
        buckets.Keys.Order().ShouldBe([0, 1, 2, 3, 4, 5]);
        buckets.Values.ShouldAllBe(count => count > 800 && count < 1200);
    }
}
