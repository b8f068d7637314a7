using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Persistence;
using Npgsql;

namespace Integrations.Infrastructure.Webhooks.Delivery;

/// <summary>
/// Places deliveries in <c>webhook_delivery_queue</c> in the unit of work that decides them (the
/// queue's other writer is <see cref="WebhookDeliveryQueue"/>, the dispatchers' claims and leases:
/// both are the delivery pipeline's). Set-based: one round trip per call, whatever the batch. A
/// delivery that becomes due now wakes the dispatchers once the transaction commits.
/// </summary>
public sealed class WebhookDeliveryQueueWriter(DbSession session) : IWebhookDeliveryQueue
{
    /// <summary>The channel dispatchers listen on; notified (after the commit) when deliveries become due now.</summary>
    public const string Channel = "webhook_deliveries";

    public Task PlaceAsync(IReadOnlyList<QueuePlacement> placements, CancellationToken ct)
    {
        if (placements.Count == 0) return Task.CompletedTask;
        return session.RunAsync(async (connection, transaction) =>
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            if (placements.OfType<Dequeue>().Select(p => p.DeliveryId).ToArray() is { Length: > 0 } removed)
            {
                var delete = new NpgsqlBatchCommand("delete from webhook_delivery_queue where delivery_id = any(@ids)");
                delete.Parameters.AddValue("ids", removed);
                batch.BatchCommands.Add(delete);
            }
            if (placements.OfType<Enqueue>().ToList() is { Count: > 0 } enqueued)
            {
                var insert = new NpgsqlBatchCommand("""
                    insert into webhook_delivery_queue (delivery_id, tenant_id, endpoint_id, event_id, event_type, is_test, created_at, next_attempt_at, attempts)
                    select * from unnest(@ids::uuid[], @tenant_ids::uuid[], @endpoint_ids::uuid[], @event_ids::uuid[], @event_types::text[], @is_test::boolean[],
                                         @created_at::timestamptz[], @next::timestamptz[], @attempts::int[])
                    on conflict (delivery_id) do update set next_attempt_at = excluded.next_attempt_at, lease_until = null, held_by_circuit = false,
                        attempts = excluded.attempts
                    """);
                insert.Parameters.AddValue("ids", enqueued.Select(p => p.DeliveryId).ToArray());
                insert.Parameters.AddValue("tenant_ids", enqueued.Select(p => p.TenantId).ToArray());
                insert.Parameters.AddValue("endpoint_ids", enqueued.Select(p => p.EndpointId).ToArray());
                insert.Parameters.AddValue("event_ids", enqueued.Select(p => p.EventId).ToArray());
                insert.Parameters.AddValue("event_types", enqueued.Select(p => p.EventType).ToArray());
                insert.Parameters.AddValue("is_test", enqueued.Select(p => p.IsTest).ToArray());
                insert.Parameters.AddValue("created_at", enqueued.Select(p => Sql.Utc(p.CreatedAt)).ToArray());
                insert.Parameters.AddValue("next", enqueued.Select(p => Sql.Utc(p.DueAt)).ToArray());
                insert.Parameters.AddValue("attempts", enqueued.Select(p => p.Attempts).ToArray());
                batch.BatchCommands.Add(insert);
                session.NotifyAfterCommit(Channel);
            }
            if (placements.OfType<Reschedule>().ToList() is { Count: > 0 } moved)
            {
                // Without a new due time the row stays where it is, its lease and its circuit hold with it.
                var update = new NpgsqlBatchCommand("""
                    update webhook_delivery_queue q set
                        next_attempt_at = coalesce(u.next_attempt_at, q.next_attempt_at),
                        lease_until = case when u.next_attempt_at is null then q.lease_until end,
                        held_by_circuit = u.next_attempt_at is null and q.held_by_circuit,
                        attempts = q.attempts + u.attempts_added
                    from unnest(@ids::uuid[], @next::timestamptz[], @attempts_added::int[]) as u(id, next_attempt_at, attempts_added)
                    where q.delivery_id = u.id and q.delivery_id = any(@ids)
                    """);
                update.Parameters.AddValue("ids", moved.Select(p => p.DeliveryId).ToArray());
                update.Parameters.Add(SqlArrays.Timestamps("next", moved.Select(p => p.DueAt)));
                update.Parameters.AddValue("attempts_added", moved.Select(p => p.AttemptsAdded).ToArray());
                batch.BatchCommands.Add(update);
            }
            await batch.ExecuteNonQueryAsync(ct);
        }, ct);
    }

    public Task PauseEndpointAsync(Guid endpointId, CancellationToken ct) =>
        session.RunAsync((connection, transaction) =>
            Sql.ExecuteAsync(connection, transaction, "update webhook_delivery_queue set paused = true where endpoint_id = @id", ct, ("id", endpointId)), ct);

    public Task ResumeEndpointAsync(Guid endpointId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await Sql.ExecuteAsync(connection, transaction, """
                update webhook_delivery_queue
                set paused = false, held_by_circuit = false, next_attempt_at = case when held_by_circuit then now() else next_attempt_at end
                where endpoint_id = @id
                """, ct, ("id", endpointId));
            session.NotifyAfterCommit(Channel);
        }, ct);

    public Task ReleaseDeletedEndpointAsync(Guid endpointId, DateTimeOffset deletedAt, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await Sql.ExecuteAsync(connection, transaction,
                "update webhook_delivery_queue set paused = false, next_attempt_at = least(next_attempt_at, @at) where endpoint_id = @id",
                ct, ("id", endpointId), ("at", Sql.Utc(deletedAt)));
            session.NotifyAfterCommit(Channel);
        }, ct);
}
