namespace Integrations.Domain.Webhooks;

/// <summary>What to do now with one due delivery of an endpoint.</summary>
public abstract record PacedDelivery
{
    /// <summary>Send it at <paramref name="At"/> (now, or within the claim horizon).</summary>
    public sealed record Send(DateTimeOffset At) : PacedDelivery;

    /// <summary>Leave it queued until <paramref name="Until"/>: the rate limit or the endpoint's concurrency has no room sooner.</summary>
    public sealed record Defer(DateTimeOffset Until) : PacedDelivery;

    /// <summary>Leave it as it is: the claimer is full, not the endpoint; the next claim takes it.</summary>
    public sealed record Skip : PacedDelivery;
}

public sealed record PacingPlan(IReadOnlyList<PacedDelivery> Deliveries, DateTimeOffset NextFreeSlot);

/// <summary>
/// An endpoint's rate limit as even spacing: one delivery per 60 s / rate_limit_per_minute, so no
/// window of a minute ever holds more than the limit (a token bucket that starts full would allow
/// twice the limit across a window boundary). Deliveries beyond the limit are deferred to the slot
/// they will get, never dropped. The endpoint's concurrency is a second bound: with no free
/// connection slot a delivery is deferred by about the time the endpoint takes to answer, spread
/// out so a hanging endpoint's backlog is looked at rarely instead of on every claim.
/// </summary>
public static class DeliveryPacing
{
    public static TimeSpan Interval(int ratePerMinute) =>
        TimeSpan.FromTicks(TimeSpan.TicksPerMinute / Math.Clamp(ratePerMinute, 1, WebhookEndpointDecider.MaxRateLimitPerMinute));

    /// <param name="due">How many deliveries of the endpoint are due, oldest first.</param>
    /// <param name="freeSlots">How many more requests the endpoint may have in flight now.</param>
    /// <param name="budget">How many more deliveries the claimer can take on now, for all endpoints.</param>
    /// <param name="maxInFlight">The endpoint's concurrency limit: spreads deferrals for lack of slots.</param>
    /// <param name="nextFreeSlot">The earliest time the rate limit lets the next delivery go (null: never sent).</param>
    /// <param name="horizon">How far ahead a slot may be claimed; the sender waits for it.</param>
    /// <param name="responseTime">About how long the endpoint takes to answer.</param>
    public static PacingPlan Plan(int due, int freeSlots, int budget, int maxInFlight, int ratePerMinute, DateTimeOffset? nextFreeSlot,
        DateTimeOffset now, TimeSpan horizon, TimeSpan responseTime)
    {
        var interval = Interval(ratePerMinute);
        var slot = nextFreeSlot is { } free && free > now ? free : now;
        var plan = new List<PacedDelivery>(due);
        int rateDeferred = 0, busyDeferred = 0;
        for (var i = 0; i < due; i++)
        {
            if (slot > now + horizon)
            {
                plan.Add(new PacedDelivery.Defer(slot + interval * rateDeferred++));
            }
            else if (freeSlots > 0 && budget > 0)
            {
                plan.Add(new PacedDelivery.Send(slot));
                slot += interval;
                freeSlots--;
                budget--;
            }
            else if (freeSlots > 0)
            {
                plan.Add(new PacedDelivery.Skip());
            }
            else
            {
                var wait = responseTime * (1 + (double)busyDeferred++ / Math.Max(1, maxInFlight));
                plan.Add(new PacedDelivery.Defer(Max(slot, now + wait)));
            }
        }
        return new PacingPlan(plan, slot);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
