using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Webhooks;
using MediatR;

namespace Integrations.Application.WebhookDeliveries.Commands.RequeueWebhookDeliveries;

/// <summary>
/// Requeues those of the given deliveries that are dead-lettered and belong to the tenant, in one
/// transaction; the others (pending, succeeded, someone else's) are left alone. One page of a recover.
/// Returns how many were requeued.
/// </summary>
public sealed record RequeueWebhookDeliveriesCommand(Guid TenantId, IReadOnlyList<Guid> DeliveryIds) : ICommand<int>;

public sealed class RequeueWebhookDeliveriesCommandHandler(WebhookDeliveryLedger ledger, IRequestContext context, IClock clock)
    : IRequestHandler<RequeueWebhookDeliveriesCommand, int>
{
    public async Task<int> Handle(RequeueWebhookDeliveriesCommand request, CancellationToken cancellationToken)
    {
        var loaded = await ledger.LoadAsync(request.DeliveryIds.Distinct().Select(id => (id, request.TenantId)).ToList(), cancellationToken);
        var now = clock.UtcNow;
        var batch = loaded
            .Where(s => s.Value.State is { Status: DeliveryStatus.Failed } state && state.TenantId == request.TenantId)
            .Select(s => new StreamCommands<WebhookDeliveryCommand>(s.Key, request.TenantId, [new RequeueWebhookDelivery(context.Actor, now)]))
            .ToList();
        var decided = await ledger.HandleAsync(batch, cancellationToken, loaded);
        return decided.Count(d => d.Events.Count > 0);
    }
}
