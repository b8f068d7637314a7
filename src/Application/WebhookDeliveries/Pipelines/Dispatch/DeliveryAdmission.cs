using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;

/// <summary>
/// The admit and pace step, run by the claim inside its transaction: of the due rows it read, which
/// this instance takes now and when each goes. Rows of a disabled endpoint are paused, rows of a
/// deleted endpoint or of an event that is not there are cancelled (dead-lettered without an
/// attempt), and the rest go through their endpoint's circuit (<see cref="EndpointCircuit"/>: while
/// it is open they are held back, tests excepted, and when it half-opens one goes as the probe),
/// then are paced by <see cref="DeliveryPacing"/> against the endpoint's rate limit (its pacing row,
/// shared by every instance) and this instance's room for the endpoint (<see cref="EndpointLoad"/>).
/// Pure but for the reads of <see cref="EndpointLoad"/>: the claim writes what it decides.
/// </summary>
public sealed class DeliveryAdmission(WebhookDispatcherOptions options, EndpointLoad load)
{
    /// <summary>A slot this far ahead may be claimed now; the send step waits for it in memory.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromSeconds(1);

    /// <param name="rows">The due rows the claim read, oldest due first.</param>
    /// <param name="states">The pacing rows (locked by the claim) of the endpoints of the rows to send.</param>
    /// <param name="limit">How many deliveries this instance can take on now.</param>
    public ClaimPlan Plan(IReadOnlyList<DueDelivery> rows, IReadOnlyDictionary<Guid, EndpointPacingState> states, int limit, DateTimeOffset now)
    {
        var plan = new ClaimPlan();
        foreach (var row in rows)
        {
            switch (row.Kind)
            {
                case DueKind.Paused:
                    plan.Paused.Add(row.DeliveryId);
                    break;
                case DueKind.EndpointGone:
                    plan.Cancelled.Add(new CancelledDelivery(row.DeliveryId, row.TenantId, CancelReasons.EndpointDeleted));
                    plan.GoneEndpoints.Add(row.EndpointId);
                    break;
                case DueKind.EventMissing:
                    plan.Cancelled.Add(new CancelledDelivery(row.DeliveryId, row.TenantId, CancelReasons.EventNotFound));
                    break;
            }
        }

        // Endpoints in the order of their oldest due delivery; each endpoint's deliveries oldest first.
        var budget = limit - plan.Cancelled.Count;
        foreach (var endpoint in rows.Where(r => r.Kind == DueKind.Send).GroupBy(r => r.EndpointId).OrderBy(g => g.Min(r => r.CreatedAt)))
        {
            var state = states[endpoint.Key];
            var (due, releasesHeld, probeSentAt, candidateFor, probesSent) = ThroughCircuit(endpoint.OrderBy(r => r.CreatedAt).ToList(), state, now, plan);
            if (due.Count == 0)
            {
                plan.Pacing[endpoint.Key] = new PacingChange(state.NextSlotAt, probeSentAt, candidateFor, probesSent);
                continue;
            }
            var free = Math.Max(0, load.Room(endpoint.Key));
            var paced = DeliveryPacing.Plan(due.Count, free, Math.Max(0, budget), options.MaxConcurrencyPerEndpoint, due[0].RatePerMinute,
                state.NextSlotAt, now, Horizon, load.ResponseTime(endpoint.Key));
            for (var i = 0; i < due.Count; i++)
            {
                var row = due[i];
                // A skipped row is left as it is: still due, for the next claim.
                switch (paced.Deliveries[i])
                {
                    case PacedDelivery.Send send:
                        plan.Claimed.Add(new ClaimedDelivery(row.DeliveryId, row.TenantId, row.EndpointId, row.EventId, row.EventType, row.EventTimestamp,
                            row.Url, row.Secrets, row.Data, send.At, releasesHeld));
                        budget--;
                        break;
                    case PacedDelivery.Defer defer:
                        plan.Deferred.Add((row.DeliveryId, defer.Until));
                        break;
                }
            }
            plan.Pacing[endpoint.Key] = new PacingChange(paced.NextFreeSlot, probeSentAt, candidateFor, probesSent);
        }
        return plan;
    }

    /// <summary>
    /// The endpoint's due rows its circuit lets through now: all of them while it is closed. While
    /// it is not, tests go (someone is checking the endpoint by hand) and, when it half-opens, the
    /// oldest row as the probe. The rest is held: out of every claim's way until a success
    /// releases it (<see cref="IWebhookDeliveryClaims.ReleaseHeldAsync"/>), or at the latest for
    /// <see cref="CircuitBreakerSettings.MaxOpenFor"/> after the circuit decides again, in case
    /// that release was lost. So that a probe can go when an open circuit half-opens, one row per
    /// open period is deferred to then instead (the probe candidate); new events and retries due
    /// then are candidates too.
    /// </summary>
    /// <returns>The rows to pace; whether they are sent although the circuit is not closed; and for the
    /// endpoint's pacing row, when a probe was sent now, the open period a candidate was set aside for and the
    /// probes sent since the circuit closed (null: unchanged).</returns>
    private (List<DueDelivery> Due, bool ReleasesHeld, DateTimeOffset? ProbeSentAt, DateTimeOffset? CandidateFor, int? ProbesSent) ThroughCircuit(
        List<DueDelivery> due, EndpointPacingState state, DateTimeOffset now, ClaimPlan plan)
    {
        var settings = options.CircuitBreaker.Settings;
        var decision = EndpointCircuit.Decide(settings, state.ConsecutiveFailures, state.LastFailureAt, state.ProbesSent, state.ProbeSentAt, now,
            options.ProbeWait);
        // Closed (a success or enabling reset the streak): the next time it opens starts from the shortest period.
        if (decision is CircuitDecision.Closed) return (due, false, null, null, state.ProbesSent > 0 ? 0 : null);

        var through = due.Where(r => r.IsTest).ToList();
        var waiting = due.Where(r => !r.IsTest).ToList();
        DateTimeOffset? probeSentAt = null, candidateFor = null;
        int? probesSent = null;
        DateTimeOffset decidesAgain;
        if (decision is CircuitDecision.Wait wait)
        {
            decidesAgain = wait.Until;
            if (waiting.Count > 0 && state.CandidateFor != wait.Until)
            {
                plan.Deferred.Add((waiting[0].DeliveryId, wait.Until));
                waiting.RemoveAt(0);
                candidateFor = wait.Until;
            }
        }
        else
        {
            decidesAgain = now + options.ProbeWait;
            if (waiting.Count > 0)
            {
                through.Add(waiting[0]);
                waiting.RemoveAt(0);
                probeSentAt = now;
                probesSent = state.ProbesSent + 1;
            }
        }
        foreach (var row in waiting) plan.Held.Add((row.DeliveryId, decidesAgain + settings.MaxOpenFor));
        return (through.OrderBy(r => r.CreatedAt).ToList(), true, probeSentAt, candidateFor, probesSent);
    }
}
