using Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;
using Integrations.Infrastructure.Persistence;
using Npgsql;

namespace Integrations.Infrastructure.Webhooks.Delivery;

/// <summary>
/// The dispatchers' side of <c>webhook_delivery_queue</c> (<see cref="IWebhookDeliveryClaims"/>; the
/// queue's other writer is <see cref="WebhookDeliveryQueueWriter"/>, for the use cases that decide
/// deliveries). A claim is one short transaction, so no HTTP request ever holds one open: it reads
/// the due rows with SKIP LOCKED (instances never wait for each other's rows) and locks their
/// endpoints' pacing rows (<see cref="DueDeliveryReader"/>, in endpoint order), lets the
/// application's <see cref="DeliveryAdmission"/> decide, and writes the decision in one round trip
/// (<see cref="ClaimWriter"/>): leases, deferrals, holds, pauses, pacing.
/// </summary>
public sealed class WebhookDeliveryQueue(NpgsqlDataSource dataSource, WebhookDispatcherOptions options) : IWebhookDeliveryClaims
{
    public async Task<ClaimResult> ClaimAsync(int limit, DeliveryAdmission admission, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        var (rows, locations) = await DueDeliveryReader.ReadDueAsync(connection, transaction, limit, ct);
        if (rows.Count == 0)
        {
            var next = await DueDeliveryReader.NextDueAsync(connection, transaction, ct);
            await transaction.CommitAsync(ct);
            return new ClaimResult([], [], false, next);
        }

        var sendable = rows.Where(r => r.Kind == DueKind.Send).Select(r => r.EndpointId).Distinct().Order().ToArray();
        var pacing = await DueDeliveryReader.LockEndpointStatesAsync(connection, transaction, sendable, ct);
        var plan = admission.Plan(rows, pacing, limit, DateTimeOffset.UtcNow);
        // A full claim is followed by another at once, which does not need to know when the next row is due.
        var more = rows.Count == limit;
        var nextDue = await ClaimWriter.WriteAsync(connection, transaction, plan, locations, options.Lease, askNextDue: !more, ct);
        await transaction.CommitAsync(ct);
        return new ClaimResult(plan.Claimed, plan.Cancelled, more, nextDue);
    }

    public async Task ReleaseAsync(IReadOnlyList<(Guid DeliveryId, DateTimeOffset DueAt)> released, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { ClaimWriter.Reschedule(released) } };
        await batch.ExecuteNonQueryAsync(ct);
    }

    public async Task ReleaseHeldAsync(IReadOnlyList<Guid> endpointIds, CancellationToken ct)
    {
        // The closed circuit's next opening starts from the shortest period again (a claim that finds it closed does that too).
        // Retries waiting for a later slot go now as well: they failed while the endpoint was down, and its success says it is back.
        await using var command = dataSource.CreateCommand("""
            update webhook_delivery_queue set next_attempt_at = now(), held_by_circuit = false
            where endpoint_id = any(@ids) and lease_until is null
              and (held_by_circuit or (attempts > 0 and next_attempt_at > now() and not paused));
            update webhook_endpoint_pacing set probes_sent = 0 where endpoint_id = any(@ids) and probes_sent > 0
            """);
        command.Parameters.AddValue("ids", endpointIds.ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }
}
