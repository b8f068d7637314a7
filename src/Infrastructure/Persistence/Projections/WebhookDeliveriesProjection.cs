using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Webhooks;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Webhook delivery streams into the delivery log (<c>webhook_deliveries</c>); a delivery's attempts
/// are read from its stream. The queue the dispatcher claims from is not a read model: it belongs
/// to the delivery use cases (WebhookDeliveryLedger), which move it in the same transaction.
/// Set-based: a page of events costs at most two statements, whatever its size.
/// </summary>
public sealed class WebhookDeliveriesProjection : SqlProjection
{
    public override string Name => "webhook_deliveries";

    public override IReadOnlyList<string> Tables { get; } = ["webhook_deliveries"];

    public override IReadOnlySet<Type> Handles { get; } = new HashSet<Type>
    {
        typeof(WebhookDeliveryCreated), typeof(WebhookAttemptMade), typeof(WebhookDeliverySucceeded), typeof(WebhookRetryScheduled),
        typeof(WebhookDeliveryFailed), typeof(WebhookDeliveryRequeued),
    };

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events)
    {
        var changes = new Dictionary<Guid, Change>();
        foreach (var stored in events)
        {
            var delivery = ((IWebhookDeliveryEvent)stored.Data).DeliveryId;
            if (!changes.TryGetValue(delivery, out var change)) changes[delivery] = change = new Change(delivery);
            change.Add(stored);
        }
        var all = changes.Values.ToList();
        if (all.Where(c => c.Created is not null).ToList() is { Count: > 0 } created) yield return InsertDeliveries(created);
        // A fan-out batch only creates: the insert has said everything.
        if (all.Where(c => !c.OnlyCreated).ToList() is { Count: > 0 } updated) yield return UpdateDeliveries(updated);
    }

    private static SqlStatement InsertDeliveries(List<Change> created) =>
        new SqlStatement("""
            insert into webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, is_test, status, attempt_count, created_at, updated_at, next_attempt_at)
            select id, tenant_id, endpoint_id, event_id, event_type, is_test, 'pending', 0, created_at, created_at, created_at
            from unnest(@ids::uuid[], @tenant_ids::uuid[], @endpoint_ids::uuid[], @event_ids::uuid[], @event_types::text[], @is_test::boolean[], @created_at::timestamptz[])
                as u(id, tenant_id, endpoint_id, event_id, event_type, is_test, created_at)
            on conflict (id) do update set status = 'pending', attempt_count = 0, last_status_code = null, last_error_kind = null, last_attempt_at = null,
                next_attempt_at = excluded.next_attempt_at, failure_reason = null, failed_at = null, created_at = excluded.created_at, updated_at = excluded.updated_at
            """)
            .With("ids", created.Select(c => c.Id).ToArray())
            .With("tenant_ids", created.Select(c => c.Created!.TenantId).ToArray())
            .With("endpoint_ids", created.Select(c => c.Created!.EndpointId).ToArray())
            .With("event_ids", created.Select(c => c.Created!.EventId).ToArray())
            .With("event_types", created.Select(c => c.Created!.EventType).ToArray())
            .With("is_test", created.Select(c => c.Created!.IsTest).ToArray())
            .With("created_at", created.Select(c => Sql.Utc(c.Created!.CreatedAt)).ToArray());

    /// <summary>
    /// Everything after creation, as the net effect per delivery: counters add up, the last value of
    /// each field wins. The <c>= any(@ids)</c> beside the join gives the planner an index condition
    /// on the table, so a batch against a large table stays a primary-key lookup.
    /// </summary>
    private static SqlStatement UpdateDeliveries(List<Change> changes) =>
        new SqlStatement("""
            update webhook_deliveries d set
                status = coalesce(u.status, d.status),
                attempt_count = d.attempt_count + u.attempts_added,
                last_status_code = case when u.attempts_added > 0 then u.last_status_code else d.last_status_code end,
                last_error_kind = case when u.attempts_added > 0 then u.last_error_kind else d.last_error_kind end,
                last_attempt_at = case when u.attempts_added > 0 then u.last_attempt_at else d.last_attempt_at end,
                next_attempt_at = case when u.next_set then u.next_attempt_at else d.next_attempt_at end,
                failure_reason = case when u.failure_set then u.failure_reason else d.failure_reason end,
                failed_at = case when u.failure_set then u.failed_at else d.failed_at end,
                updated_at = u.updated_at
            from unnest(@ids::uuid[], @statuses::text[], @attempts_added::int[], @codes::int[], @kinds::text[], @attempt_at::timestamptz[],
                        @next_set::boolean[], @next::timestamptz[], @failure_set::boolean[], @reasons::text[], @failed_at::timestamptz[], @updated_at::timestamptz[])
                as u(id, status, attempts_added, last_status_code, last_error_kind, last_attempt_at, next_set, next_attempt_at, failure_set, failure_reason, failed_at, updated_at)
            where d.id = u.id and d.id = any(@ids)
            """)
            .With("ids", changes.Select(c => c.Id).ToArray())
            .With("statuses", changes.Select(c => c.Status).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
            .With("attempts_added", changes.Select(c => c.AttemptsAdded).ToArray())
            .With("codes", changes.Select(c => c.LastAttempt?.StatusCode).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer)
            .With("kinds", changes.Select(c => c.LastAttempt?.ErrorKind).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
            .WithTimestamps("attempt_at", changes.Select(c => c.LastAttempt?.StartedAt))
            .With("next_set", changes.Select(c => c.NextSet).ToArray())
            .WithTimestamps("next", changes.Select(c => c.NextAttemptAt))
            .With("failure_set", changes.Select(c => c.FailureSet).ToArray())
            .With("reasons", changes.Select(c => c.FailureReason).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
            .WithTimestamps("failed_at", changes.Select(c => c.FailedAt))
            .WithTimestamps("updated_at", changes.Select(c => (DateTimeOffset?)c.UpdatedAt));

    /// <summary>The net effect of a run of one delivery's events on its rows.</summary>
    private sealed class Change(Guid id)
    {
        private int _applied;

        public Guid Id { get; } = id;
        public WebhookDeliveryCreated? Created { get; private set; }
        public string? Status { get; private set; }
        public int AttemptsAdded { get; private set; }
        public WebhookAttemptMade? LastAttempt { get; private set; }
        public bool NextSet { get; private set; }
        public DateTimeOffset? NextAttemptAt { get; private set; }
        public bool FailureSet { get; private set; }
        public string? FailureReason { get; private set; }
        public DateTimeOffset? FailedAt { get; private set; }
        public DateTimeOffset UpdatedAt { get; private set; }

        public bool OnlyCreated => Created is not null && _applied == 1;

        public void Add(StoredEvent stored)
        {
            _applied++;
            UpdatedAt = stored.Timestamp;
            switch (stored.Data)
            {
                case WebhookDeliveryCreated e:
                    Created = e;
                    Status = WebhookDeliveryStatuses.Pending;
                    Next(e.CreatedAt);
                    break;
                case WebhookAttemptMade e:
                    AttemptsAdded++;
                    LastAttempt = e;
                    if (e.Succeeded) Succeed();
                    break;
                // Streams written before 2026-11-23 follow a successful attempt with this event: applying it again changes nothing.
                case WebhookDeliverySucceeded:
                    Succeed();
                    break;
                case WebhookRetryScheduled e:
                    Next(e.NextAttemptAt);
                    break;
                case WebhookDeliveryFailed e:
                    Status = WebhookDeliveryStatuses.Failed;
                    Next(null);
                    Failure(e.Reason, e.FailedAt);
                    break;
                case WebhookDeliveryRequeued e:
                    Status = WebhookDeliveryStatuses.Pending;
                    Next(e.RequeuedAt);
                    Failure(null, null);
                    break;
            }
        }

        private void Succeed()
        {
            Status = WebhookDeliveryStatuses.Succeeded;
            Next(null);
            Failure(null, null);
        }

        private void Next(DateTimeOffset? at)
        {
            NextSet = true;
            NextAttemptAt = at;
        }

        private void Failure(string? reason, DateTimeOffset? at)
        {
            FailureSet = true;
            FailureReason = reason;
            FailedAt = at;
        }
    }
}
