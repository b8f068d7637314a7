using Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;
using Integrations.Infrastructure.Persistence;
using Npgsql;

namespace Integrations.Infrastructure.Webhooks.Delivery;

/// <summary>
/// The writes of a claim (<see cref="WebhookDeliveryQueue"/>), in its transaction and one round
/// trip: what <see cref="DeliveryAdmission"/> decided. Claimed rows are leased by setting
/// <c>lease_until</c>: their due time, the one indexed column, stays, so the lease is a HOT update
/// (migration 0016), and a claim passes over leased rows until their lease runs out.
/// </summary>
internal static class ClaimWriter
{
    /// <param name="locations">Where each row read is (its ctid, as text): the claim holds their locks, so no one else
    /// can move them before the lease.</param>
    /// <param name="askNextDue">Whether to find out when the next queued delivery is due (it costs an index walk past
    /// the entries of the rows just deleted, a few milliseconds under load).</param>
    public static async Task<DateTimeOffset?> WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ClaimPlan plan,
        IReadOnlyDictionary<Guid, string> locations, TimeSpan lease, bool askNextDue, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        var leased = plan.Claimed.Select(c => c.DeliveryId).Concat(plan.Cancelled.Select(c => c.DeliveryId)).Select(id => locations[id]).ToArray();
        if (leased.Length > 0)
        {
            // By location (a TID scan) rather than by id: a primary-key descent per row saved, about 4 shared buffers a delivery.
            var leaseRows = new NpgsqlBatchCommand("""
                update webhook_delivery_queue set lease_until = now() + @lease
                where ctid = any(@locations::tid[])
                """);
            leaseRows.Parameters.AddValue("locations", leased);
            leaseRows.Parameters.AddValue("lease", lease);
            batch.BatchCommands.Add(leaseRows);
        }
        if (plan.Deferred.Count > 0) batch.BatchCommands.Add(Reschedule(plan.Deferred));
        if (plan.Held.Count > 0) batch.BatchCommands.Add(Reschedule(plan.Held, held: true));
        if (plan.Paused.Count > 0)
        {
            var pause = new NpgsqlBatchCommand("update webhook_delivery_queue set paused = true where delivery_id = any(@ids)");
            pause.Parameters.AddValue("ids", plan.Paused.ToArray());
            batch.BatchCommands.Add(pause);
        }
        if (plan.Pacing.Count > 0)
        {
            var pace = new NpgsqlBatchCommand("""
                update webhook_endpoint_pacing p set next_slot_at = u.at,
                    probe_sent_at = coalesce(u.probe_sent_at, p.probe_sent_at), probe_candidate_for = coalesce(u.candidate_for, p.probe_candidate_for),
                    probes_sent = coalesce(u.probes_sent, p.probes_sent)
                from unnest(@ids::uuid[], @at::timestamptz[], @probe_sent_at::timestamptz[], @candidate_for::timestamptz[], @probes_sent::int[])
                    as u(id, at, probe_sent_at, candidate_for, probes_sent)
                where p.endpoint_id = u.id and p.endpoint_id = any(@ids)
                """);
            pace.Parameters.AddValue("ids", plan.Pacing.Keys.ToArray());
            pace.Parameters.Add(SqlArrays.Timestamps("at", plan.Pacing.Values.Select(p => (DateTimeOffset?)p.NextFreeSlot)));
            pace.Parameters.Add(SqlArrays.Timestamps("probe_sent_at", plan.Pacing.Values.Select(p => p.ProbeSentAt)));
            pace.Parameters.Add(SqlArrays.Timestamps("candidate_for", plan.Pacing.Values.Select(p => p.CandidateFor)));
            pace.Parameters.Add(new NpgsqlParameter("probes_sent", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Integer)
            {
                Value = plan.Pacing.Values.Select(p => p.ProbesSent).ToArray(),
            });
            batch.BatchCommands.Add(pace);
        }
        if (plan.GoneEndpoints.Count > 0)
        {
            var forget = new NpgsqlBatchCommand("delete from webhook_endpoint_pacing where endpoint_id = any(@ids)");
            forget.Parameters.AddValue("ids", plan.GoneEndpoints.ToArray());
            batch.BatchCommands.Add(forget);
        }
        if (!askNextDue)
        {
            if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(ct);
            return null;
        }
        batch.BatchCommands.Add(new NpgsqlBatchCommand(DueDeliveryReader.NextDueSql));
        return await batch.ExecuteScalarAsync(ct) is DateTime next ? new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc)) : null;
    }

    /// <summary>Makes unleased deliveries due at the given times: deferred by a claim, or given back by the dispatcher.</summary>
    /// <param name="held">Whether the endpoint's circuit holds them (<see cref="WebhookDeliveryQueue.ReleaseHeldAsync"/> makes them due).</param>
    public static NpgsqlBatchCommand Reschedule(IReadOnlyList<(Guid DeliveryId, DateTimeOffset DueAt)> rows, bool held = false)
    {
        var command = new NpgsqlBatchCommand($"""
            update webhook_delivery_queue q set next_attempt_at = u.at, lease_until = null, held_by_circuit = {(held ? "true" : "false")}
            from unnest(@ids::uuid[], @at::timestamptz[]) as u(id, at) where q.delivery_id = u.id and q.delivery_id = any(@ids)
            """);
        command.Parameters.AddValue("ids", rows.Select(r => r.DeliveryId).ToArray());
        command.Parameters.Add(SqlArrays.Timestamps("at", rows.Select(r => (DateTimeOffset?)r.DueAt)));
        return command;
    }
}
