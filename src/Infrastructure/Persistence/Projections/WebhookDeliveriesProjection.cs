using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Webhooks;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Webhook delivery streams into the delivery log (<c>webhook_deliveries</c>) and the work queue
/// (<c>webhook_delivery_queue</c>); a delivery's attempts are read from its stream. The queue
/// is a projection too, so a delivery and its queue row are created, rescheduled and removed in
/// the transaction that decides it. The queue also follows its endpoint: a disabled endpoint's
/// rows pause, enabling resumes them, deleting makes them due at once so the dispatcher
/// dead-letters them. Set-based: a batch of events costs a handful of statements, whatever its size.
/// </summary>
public sealed class WebhookDeliveriesProjection : IBatchProjection
{
    /// <summary>The channel dispatchers listen on; notified (at commit) when deliveries become due now.</summary>
    public const string Channel = "webhook_deliveries";

    public string Name => "webhook_deliveries";

    public IReadOnlyList<string> Tables { get; } = ["webhook_deliveries", "webhook_delivery_queue"];

    public IReadOnlySet<Type> Handles { get; } = new HashSet<Type>
    {
        typeof(WebhookDeliveryCreated), typeof(WebhookAttemptMade), typeof(WebhookDeliverySucceeded), typeof(WebhookRetryScheduled),
        typeof(WebhookDeliveryFailed), typeof(WebhookDeliveryRequeued),
        typeof(WebhookEndpointDisabled), typeof(WebhookEndpointEnabled), typeof(WebhookEndpointDeleted),
    };

    public Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, StoredEvent @event, CancellationToken ct) =>
        ApplyBatchAsync(connection, transaction, [@event], ct);

    public async Task ApplyBatchAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken ct)
    {
        // Endpoint events apply one by one, in order; the delivery events between them as one set.
        var run = new List<StoredEvent>();
        foreach (var e in events)
        {
            if (e.Data is IWebhookDeliveryEvent)
            {
                run.Add(e);
                continue;
            }
            await ApplyDeliveryEventsAsync(connection, transaction, run, ct);
            run.Clear();
            await ApplyEndpointEventAsync(connection, transaction, e.Data, ct);
        }
        await ApplyDeliveryEventsAsync(connection, transaction, run, ct);
    }

    private static async Task ApplyEndpointEventAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, object @event, CancellationToken ct)
    {
        switch (@event)
        {
            case WebhookEndpointDisabled e:
                await Sql.ExecuteAsync(connection, transaction, "update webhook_delivery_queue set paused = true where endpoint_id = @id", ct, ("id", e.EndpointId));
                break;
            case WebhookEndpointEnabled e:
                await Sql.ExecuteAsync(connection, transaction, $"""
                    update webhook_delivery_queue
                    set paused = false, held_by_circuit = false, next_attempt_at = case when held_by_circuit then now() else next_attempt_at end
                    where endpoint_id = @id;
                    select pg_notify('{Channel}', '');
                    """, ct, ("id", e.EndpointId));
                break;
            case WebhookEndpointDeleted e:
                await Sql.ExecuteAsync(connection, transaction, $"""
                    update webhook_delivery_queue set paused = false, next_attempt_at = least(next_attempt_at, @at) where endpoint_id = @id;
                    select pg_notify('{Channel}', '');
                    """, ct, ("id", e.EndpointId), ("at", Sql.Utc(e.DeletedAt)));
                break;
        }
    }

    private static async Task ApplyDeliveryEventsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<StoredEvent> events, CancellationToken ct)
    {
        if (events.Count == 0) return;
        var changes = new Dictionary<Guid, Change>();
        foreach (var stored in events)
        {
            var delivery = ((IWebhookDeliveryEvent)stored.Data).DeliveryId;
            if (!changes.TryGetValue(delivery, out var change)) changes[delivery] = change = new Change(delivery);
            change.Apply(stored);
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        var all = changes.Values.ToList();
        if (all.Where(c => c.Created is not null).ToList() is { Count: > 0 } created) batch.BatchCommands.Add(InsertDeliveries(created));
        // A fan-out batch only creates: the insert has said everything.
        if (all.Where(c => !c.OnlyCreated).ToList() is { Count: > 0 } updated) batch.BatchCommands.Add(UpdateDeliveries(updated));
        AddQueueCommands(batch, all);
        await batch.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlBatchCommand InsertDeliveries(List<Change> created)
    {
        var command = new NpgsqlBatchCommand("""
            insert into webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, is_test, status, attempt_count, created_at, updated_at, next_attempt_at)
            select id, tenant_id, endpoint_id, event_id, event_type, is_test, 'pending', 0, created_at, created_at, created_at
            from unnest(@ids::uuid[], @tenant_ids::uuid[], @endpoint_ids::uuid[], @event_ids::uuid[], @event_types::text[], @is_test::boolean[], @created_at::timestamptz[])
                as u(id, tenant_id, endpoint_id, event_id, event_type, is_test, created_at)
            on conflict (id) do update set status = 'pending', attempt_count = 0, last_status_code = null, last_error_kind = null, last_attempt_at = null,
                next_attempt_at = excluded.next_attempt_at, failure_reason = null, failed_at = null, created_at = excluded.created_at, updated_at = excluded.updated_at
            """);
        command.Parameters.AddValue("ids", created.Select(c => c.Id).ToArray());
        command.Parameters.AddValue("tenant_ids", created.Select(c => c.Created!.TenantId).ToArray());
        command.Parameters.AddValue("endpoint_ids", created.Select(c => c.Created!.EndpointId).ToArray());
        command.Parameters.AddValue("event_ids", created.Select(c => c.Created!.EventId).ToArray());
        command.Parameters.AddValue("event_types", created.Select(c => c.Created!.EventType).ToArray());
        command.Parameters.AddValue("is_test", created.Select(c => c.Created!.IsTest).ToArray());
        command.Parameters.AddValue("created_at", created.Select(c => Sql.Utc(c.Created!.CreatedAt)).ToArray());
        return command;
    }

    /// <summary>
    /// Everything after creation, as the net effect per delivery: counters add up, the last value of
    /// each field wins. The <c>= any(@ids)</c> beside the join gives the planner an index condition
    /// on the table, so a batch against a large table stays a primary-key lookup.
    /// </summary>
    private static NpgsqlBatchCommand UpdateDeliveries(List<Change> changes)
    {
        var command = new NpgsqlBatchCommand("""
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
            """);
        command.Parameters.AddValue("ids", changes.Select(c => c.Id).ToArray());
        command.Parameters.AddValue("statuses", changes.Select(c => c.Status).ToArray());
        command.Parameters.AddValue("attempts_added", changes.Select(c => c.AttemptsAdded).ToArray());
        command.Parameters.AddValue("codes", changes.Select(c => c.LastAttempt?.StatusCode).ToArray());
        command.Parameters.AddValue("kinds", changes.Select(c => c.LastAttempt?.ErrorKind).ToArray());
        command.Parameters.Add(SqlArrays.Timestamps("attempt_at", changes.Select(c => c.LastAttempt?.StartedAt)));
        command.Parameters.AddValue("next_set", changes.Select(c => c.NextSet).ToArray());
        command.Parameters.Add(SqlArrays.Timestamps("next", changes.Select(c => c.NextAttemptAt)));
        command.Parameters.AddValue("failure_set", changes.Select(c => c.FailureSet).ToArray());
        command.Parameters.AddValue("reasons", changes.Select(c => c.FailureReason).ToArray());
        command.Parameters.Add(SqlArrays.Timestamps("failed_at", changes.Select(c => c.FailedAt)));
        command.Parameters.Add(SqlArrays.Timestamps("updated_at", changes.Select(c => (DateTimeOffset?)c.UpdatedAt)));
        return command;
    }

    /// <summary>
    /// The queue row follows the last event that places the delivery: created, retry scheduled or
    /// requeued → queued (lease released) at that time; succeeded or dead-lettered → removed.
    /// </summary>
    private static void AddQueueCommands(NpgsqlBatch batch, List<Change> changes)
    {
        if (changes.Where(c => c.Placement is Placement.Removed).Select(c => c.Id).ToArray() is { Length: > 0 } removed)
        {
            var delete = new NpgsqlBatchCommand("delete from webhook_delivery_queue where delivery_id = any(@ids)");
            delete.Parameters.AddValue("ids", removed);
            batch.BatchCommands.Add(delete);
        }
        if (changes.Where(c => c.Placement is Placement.Created).ToList() is { Count: > 0 } created)
        {
            var insert = new NpgsqlBatchCommand("""
                insert into webhook_delivery_queue (delivery_id, tenant_id, endpoint_id, event_id, event_type, is_test, created_at, next_attempt_at, attempts)
                select * from unnest(@ids::uuid[], @tenant_ids::uuid[], @endpoint_ids::uuid[], @event_ids::uuid[], @event_types::text[], @is_test::boolean[],
                                     @created_at::timestamptz[], @next::timestamptz[], @attempts::int[])
                on conflict (delivery_id) do update set next_attempt_at = excluded.next_attempt_at, lease_until = null, held_by_circuit = false, attempts = excluded.attempts
                """);
            insert.Parameters.AddValue("ids", created.Select(c => c.Id).ToArray());
            insert.Parameters.AddValue("tenant_ids", created.Select(c => c.Created!.TenantId).ToArray());
            insert.Parameters.AddValue("endpoint_ids", created.Select(c => c.Created!.EndpointId).ToArray());
            insert.Parameters.AddValue("event_ids", created.Select(c => c.Created!.EventId).ToArray());
            insert.Parameters.AddValue("event_types", created.Select(c => c.Created!.EventType).ToArray());
            insert.Parameters.AddValue("is_test", created.Select(c => c.Created!.IsTest).ToArray());
            insert.Parameters.AddValue("created_at", created.Select(c => Sql.Utc(c.Created!.CreatedAt)).ToArray());
            insert.Parameters.AddValue("next", created.Select(c => Sql.Utc(c.NextAttemptAt!.Value)).ToArray());
            insert.Parameters.AddValue("attempts", created.Select(c => c.AttemptsAdded).ToArray());
            batch.BatchCommands.Add(insert);
        }
        if (changes.Where(c => c.Placement is Placement.Rescheduled or Placement.Unchanged).ToList() is { Count: > 0 } moved)
        {
            var update = new NpgsqlBatchCommand("""
                update webhook_delivery_queue q set
                    next_attempt_at = coalesce(u.next_attempt_at, q.next_attempt_at),
                    lease_until = case when u.next_attempt_at is null then q.lease_until end,
                    held_by_circuit = u.next_attempt_at is null and q.held_by_circuit,
                    attempts = q.attempts + u.attempts_added
                from unnest(@ids::uuid[], @next::timestamptz[], @attempts_added::int[]) as u(id, next_attempt_at, attempts_added)
                where q.delivery_id = u.id and q.delivery_id = any(@ids)
                """);
            update.Parameters.AddValue("ids", moved.Select(c => c.Id).ToArray());
            update.Parameters.Add(SqlArrays.Timestamps("next", moved.Select(c => c.Placement is Placement.Rescheduled ? c.NextAttemptAt : null)));
            update.Parameters.AddValue("attempts_added", moved.Select(c => c.AttemptsAdded).ToArray());
            batch.BatchCommands.Add(update);
        }
        if (changes.Where(c => c.Placement is Placement.Requeued).ToList() is { Count: > 0 } requeued)
        {
            // The requeued row was removed when the delivery was dead-lettered: its details come back from the log's other table.
            var insert = new NpgsqlBatchCommand("""
                insert into webhook_delivery_queue (delivery_id, tenant_id, endpoint_id, event_id, event_type, is_test, created_at, next_attempt_at, attempts)
                select d.id, d.tenant_id, d.endpoint_id, d.event_id, d.event_type, d.is_test, d.created_at, u.next_attempt_at, d.attempt_count
                from unnest(@ids::uuid[], @next::timestamptz[]) as u(id, next_attempt_at)
                join webhook_deliveries d on d.id = u.id and d.id = any(@ids)
                on conflict (delivery_id) do update set next_attempt_at = excluded.next_attempt_at, lease_until = null, held_by_circuit = false
                """);
            insert.Parameters.AddValue("ids", requeued.Select(c => c.Id).ToArray());
            insert.Parameters.AddValue("next", requeued.Select(c => Sql.Utc(c.NextAttemptAt!.Value)).ToArray());
            batch.BatchCommands.Add(insert);
        }
        if (changes.Any(c => c.Placement is Placement.Created or Placement.Requeued))
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"select pg_notify('{Channel}', '')"));
    }

    private enum Placement { Unchanged, Created, Rescheduled, Requeued, Removed }

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
        public Placement Placement { get; private set; }

        public bool OnlyCreated => Created is not null && _applied == 1;

        public void Apply(StoredEvent stored)
        {
            _applied++;
            UpdatedAt = stored.Timestamp;
            switch (stored.Data)
            {
                case WebhookDeliveryCreated e:
                    Created = e;
                    Status = WebhookDeliveryStatuses.Pending;
                    Next(e.CreatedAt, Placement.Created);
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
                    // A retry after a creation or a requeue in the same run still needs the row inserted.
                    Next(e.NextAttemptAt, Placement is Placement.Created or Placement.Requeued ? Placement : Placement.Rescheduled);
                    break;
                case WebhookDeliveryFailed e:
                    Status = WebhookDeliveryStatuses.Failed;
                    Next(null, Placement.Removed);
                    Failure(e.Reason, e.FailedAt);
                    break;
                case WebhookDeliveryRequeued e:
                    Status = WebhookDeliveryStatuses.Pending;
                    Next(e.RequeuedAt, Placement.Requeued);
                    Failure(null, null);
                    break;
            }
        }

        private void Succeed()
        {
            Status = WebhookDeliveryStatuses.Succeeded;
            Next(null, Placement.Removed);
            Failure(null, null);
        }

        private void Next(DateTimeOffset? at, Placement placement)
        {
            NextSet = true;
            NextAttemptAt = at;
            Placement = placement;
        }

        private void Failure(string? reason, DateTimeOffset? at)
        {
            FailureSet = true;
            FailureReason = reason;
            FailedAt = at;
        }
    }
}
