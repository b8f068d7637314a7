using Integrations.Domain.Webhooks;
using Shouldly;

namespace Integrations.Domain.UnitTests.Webhooks;

public class DeliveryPacingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Horizon = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ResponseTime = TimeSpan.FromSeconds(2);

    [Fact]
    public void Deliveries_are_spaced_by_the_rate_limit_and_those_beyond_the_horizon_are_deferred_to_their_slots()
    {
        // 120 a minute: one every 0.5 s.
        var plan = DeliveryPacing.Plan(5, 16, 100, 16, 120, null, Now, Horizon, ResponseTime);
        plan.Deliveries.ShouldBe(
        [
            new PacedDelivery.Send(Now),
            new PacedDelivery.Send(Now.AddSeconds(0.5)),
            new PacedDelivery.Send(Now.AddSeconds(1)),
            new PacedDelivery.Defer(Now.AddSeconds(1.5)),
            new PacedDelivery.Defer(Now.AddSeconds(2)),
        ]);
        plan.NextFreeSlot.ShouldBe(Now.AddSeconds(1.5));
    }

    [Fact]
    public void The_next_free_slot_carries_over_between_claims_and_a_past_one_means_now()
    {
        DeliveryPacing.Plan(1, 16, 100, 16, 60, Now.AddSeconds(0.25), Now, Horizon, ResponseTime).Deliveries
            .ShouldBe([new PacedDelivery.Send(Now.AddSeconds(0.25))]);
        DeliveryPacing.Plan(1, 16, 100, 16, 60, Now.AddSeconds(5), Now, Horizon, ResponseTime).Deliveries
            .ShouldBe([new PacedDelivery.Defer(Now.AddSeconds(5))]);
        DeliveryPacing.Plan(1, 16, 100, 16, 60, Now.AddHours(-1), Now, Horizon, ResponseTime).NextFreeSlot
            .ShouldBe(Now.AddSeconds(1));
    }

    [Fact]
    public void No_window_of_a_minute_holds_more_than_the_limit()
    {
        var sent = new List<DateTimeOffset>();
        DateTimeOffset? next = null;
        for (var claim = Now; claim < Now.AddMinutes(3); claim = claim.AddMilliseconds(100))
        {
            var plan = DeliveryPacing.Plan(50, 16, 100, 16, 100, next, claim, Horizon, ResponseTime);
            sent.AddRange(plan.Deliveries.OfType<PacedDelivery.Send>().Select(s => s.At));
            next = plan.NextFreeSlot;
        }
        foreach (var start in sent) sent.Count(t => t >= start && t < start.AddMinutes(1)).ShouldBeLessThanOrEqualTo(100);
        sent.Count.ShouldBeGreaterThanOrEqualTo(299);
    }

    [Fact]
    public void Without_free_connection_slots_deliveries_wait_about_a_response_time_spread_over_the_slots()
    {
        var plan = DeliveryPacing.Plan(3, 1, 100, 2, 60_000, null, Now, Horizon, ResponseTime);
        plan.Deliveries[0].ShouldBe(new PacedDelivery.Send(Now));
        plan.Deliveries[1].ShouldBe(new PacedDelivery.Defer(Now + ResponseTime));
        plan.Deliveries[2].ShouldBe(new PacedDelivery.Defer(Now + ResponseTime * 1.5));
    }

    [Fact]
    public void When_the_claimer_is_full_deliveries_are_left_as_they_are()
    {
        var plan = DeliveryPacing.Plan(3, 16, 1, 16, 60_000, null, Now, Horizon, ResponseTime);
        plan.Deliveries.ShouldBe([new PacedDelivery.Send(Now), new PacedDelivery.Skip(), new PacedDelivery.Skip()]);
        plan.NextFreeSlot.ShouldBe(Now.AddMilliseconds(1));
    }
}
