using System.Diagnostics;

namespace Integrations.Bench.Reliability;

/// <summary>
/// One fault's figures, from what the sink received for what the platform acknowledged.
/// Recovery: from the fault's end until everything acknowledged before it ended had been delivered
/// and what was acknowledged after it was delivered within <see cref="NormalLatency"/> again; and
/// not before the API acknowledged again (after a kill of the API, its start).
/// </summary>
public sealed record PhaseResult(string Fault, int Acknowledged, int Delivered, int Duplicates, int DuplicatesSameId, int Refused, int DeliveredUnacknowledged, TimeSpan? Recovery)
{
    public static readonly TimeSpan NormalLatency = TimeSpan.FromSeconds(2);

    public int Lost => Acknowledged - Delivered;

    public static PhaseResult Of(string fault, PhaseLoad load, DeliverySink sink, long faultEnd) => Of(fault, load, sink.Deliveries, faultEnd, _ => true);

    /// <summary>
    /// The connector calls of the phase: every acknowledged event its route matches (the events
    /// posted, invoice.paid, not the inbound requests) must have reached the provider once.
    /// </summary>
    public static PhaseResult OfCalls(string fault, PhaseLoad load, DeliverySink sink, long faultEnd) =>
        Of(fault, load, sink.Calls, faultEnd, LoadGenerator.IsRouted);

    private static PhaseResult Of(string fault, PhaseLoad load, Func<string, IReadOnlyList<(string Id, long At)>> received, long faultEnd, Func<string, bool> expected)
    {
        int delivered = 0, duplicates = 0, sameId = 0;
        long recoveredAt = faultEnd;
        var complete = true;
        var acknowledgedAgain = long.MaxValue;
        var acknowledged = 0;
        foreach (var (marker, acknowledgedAt) in load.Acknowledged)
        {
            if (!expected(marker)) continue;
            acknowledged++;
            if (acknowledgedAt > faultEnd) acknowledgedAgain = Math.Min(acknowledgedAgain, acknowledgedAt);
            var deliveries = received(marker);
            if (deliveries.Count == 0)
            {
                complete = false;
                continue;
            }
            delivered++;
            duplicates += deliveries.Count - 1;
            // A duplicate that repeats an earlier webhook-id (Idempotency-Key) is one a receiver deduplicates.
            sameId += deliveries.Count - deliveries.Select(d => d.Id).Distinct().Count();
            var first = deliveries.Min(d => d.At);
            var late = acknowledgedAt <= faultEnd || Stopwatch.GetElapsedTime(acknowledgedAt, first) > NormalLatency;
            if (late) recoveredAt = Math.Max(recoveredAt, first);
        }
        if (acknowledgedAgain != long.MaxValue) recoveredAt = Math.Max(recoveredAt, acknowledgedAgain);
        var unacknowledged = load.Unacknowledged.Keys.Where(expected).ToList();
        var unacknowledgedDelivered = unacknowledged.Count(m => received(m).Count > 0);
        return new PhaseResult(fault, acknowledged, delivered, duplicates, sameId, unacknowledged.Count, unacknowledgedDelivered,
            complete ? Stopwatch.GetElapsedTime(faultEnd, recoveredAt) : null);
    }

    public const string Header = "| Fault | Acknowledged | Delivered | Lost | Duplicates | Same webhook-id | Time to recover | Refused (not acked) |";

    public const string CallsHeader = "| Fault | Acknowledged (routed) | Delivered | Lost | Duplicates | Same Idempotency-Key | Time to recover | Refused (not acked) |";

    public const string Rule = "|---|---:|---:|---:|---:|---:|---:|---:|";

    public override string ToString() =>
        $"| {Fault} | {Acknowledged} | {Delivered} | {Lost} | {Duplicates} | {DuplicatesSameId} | " +
        (Recovery is { } r ? $"{r.TotalSeconds:F1} s" : "not recovered") + $" | {Refused}" +
        (DeliveredUnacknowledged > 0 ? $" ({DeliveredUnacknowledged} of them delivered)" : "") + " |";
}
