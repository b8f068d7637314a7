using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Webhooks;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Consecutive failed attempts per endpoint (<c>webhook_endpoint_health</c>), from the delivery
/// attempts and the endpoint's own events: a success or enabling the endpoint starts the count
/// again, so a re-enabled endpoint gets the full allowance before it is disabled again.
/// Rows are written in endpoint id order.
/// </summary>
public sealed class WebhookEndpointHealthProjection : SqlProjection
{
    public override string Name => "webhook_endpoint_health";

    public override IReadOnlyList<string> Tables { get; } = ["webhook_endpoint_health"];

    public override IReadOnlySet<Type> Handles { get; } = new HashSet<Type> { typeof(WebhookAttemptMade), typeof(WebhookEndpointEnabled), typeof(WebhookEndpointDeleted) };

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events)
    {
        var streaks = new SortedDictionary<Guid, Streak>();
        var deleted = new List<Guid>();
        foreach (var stored in events)
        {
            switch (stored.Data)
            {
                case WebhookAttemptMade a:
                    Of(streaks, a.EndpointId, a.TenantId).Attempt(a.Succeeded, a.StartedAt);
                    break;
                case WebhookEndpointEnabled e:
                    Of(streaks, e.EndpointId, e.TenantId).Reset();
                    break;
                case WebhookEndpointDeleted e:
                    streaks.Remove(e.EndpointId);
                    deleted.Add(e.EndpointId);
                    break;
            }
        }
        if (deleted.Count > 0)
            yield return new SqlStatement("delete from webhook_endpoint_health where endpoint_id = any(@ids)").With("ids", deleted.ToArray());
        // A streak that restarted replaces the stored count; one that did not adds to it.
        foreach (var restarted in new[] { true, false })
        {
            var rows = streaks.Values.Where(s => s.Restarted == restarted).ToList();
            if (rows.Count == 0) continue;
            var count = restarted ? "excluded.consecutive_failures" : "h.consecutive_failures + excluded.consecutive_failures";
            yield return new SqlStatement($"""
                insert into webhook_endpoint_health as h (endpoint_id, tenant_id, consecutive_failures, last_failure_at, last_success_at)
                select * from unnest(@ids::uuid[], @tenant_ids::uuid[], @failures::int[], @failed_at::timestamptz[], @succeeded_at::timestamptz[])
                on conflict (endpoint_id) do update set consecutive_failures = {count},
                    last_failure_at = coalesce(excluded.last_failure_at, h.last_failure_at),
                    last_success_at = coalesce(excluded.last_success_at, h.last_success_at)
                """)
                .With("ids", rows.Select(r => r.EndpointId).ToArray())
                .With("tenant_ids", rows.Select(r => r.TenantId).ToArray())
                .With("failures", rows.Select(r => r.Failures).ToArray())
                .WithTimestamps("failed_at", rows.Select(r => r.LastFailureAt))
                .WithTimestamps("succeeded_at", rows.Select(r => r.LastSuccessAt));
        }
    }

    private static Streak Of(SortedDictionary<Guid, Streak> streaks, Guid endpointId, Guid tenantId)
    {
        if (!streaks.TryGetValue(endpointId, out var streak)) streaks[endpointId] = streak = new Streak(endpointId, tenantId);
        return streak;
    }

    private sealed class Streak(Guid endpointId, Guid tenantId)
    {
        public Guid EndpointId { get; } = endpointId;
        public Guid TenantId { get; } = tenantId;

        /// <summary>Whether the count started again within this batch (a success or an enable).</summary>
        public bool Restarted { get; private set; }

        public int Failures { get; private set; }
        public DateTimeOffset? LastFailureAt { get; private set; }
        public DateTimeOffset? LastSuccessAt { get; private set; }

        public void Attempt(bool succeeded, DateTimeOffset at)
        {
            if (succeeded)
            {
                Reset();
                LastSuccessAt = at;
                return;
            }
            Failures++;
            LastFailureAt = at;
        }

        public void Reset()
        {
            Restarted = true;
            Failures = 0;
        }
    }
}
