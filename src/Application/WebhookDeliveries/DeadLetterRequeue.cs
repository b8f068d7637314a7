using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookDeliveries;

/// <summary>
/// Requeues those of the given deliveries that are dead-lettered and belong to the tenant, in the
/// caller's transaction; the others (pending, succeeded, someone else's) are left alone. A requeued
/// delivery keeps its webhook_id and gets the full retry schedule again. One page of a recover
/// (<c>RecoverWebhookEndpointCommand</c>).
/// </summary>
public sealed class DeadLetterRequeue(WebhookDeliveryLedger ledger, IRequestContext context, IClock clock)
{
    /// <returns>How many were requeued.</returns>
    public async Task<int> RequeueAsync(Guid tenantId, IReadOnlyList<Guid> deliveryIds, CancellationToken ct)
    {
        var loaded = await ledger.LoadAsync(deliveryIds.Distinct().Select(id => (id, tenantId)).ToList(), ct);
        var now = clock.UtcNow;
        var batch = loaded
            .Where(s => s.Value.State is { Status: DeliveryStatus.Failed } state && state.TenantId == tenantId)
            .Select(s => new StreamCommands<WebhookDeliveryCommand>(s.Key, tenantId, [new RequeueWebhookDelivery(context.Actor, now)]))
            .ToList();
        var decided = await ledger.HandleAsync(batch, ct, loaded);
        return decided.Count(d => d.Events.Count > 0);
    }
}
