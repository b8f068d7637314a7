using Integrations.Application.Common.Behaviours;
using Integrations.Application.Common.Interfaces;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.WebhookDeliveries;

/// <summary>
/// Requeues every delivery of an endpoint dead-lettered at or after a time, however many there are:
/// it walks them in keyset pages of <see cref="PageSize"/> and requeues each page
/// (<see cref="DeadLetterRequeue"/>) in a transaction of its own, retried like a command's when it
/// loses a race, so memory and transaction size stay bounded. Not one transaction around everything:
/// if it is interrupted, the pages done stay done and running it again picks up the rest. Shared by
/// an endpoint's recover and the operator's replay of a tenant's dead letters.
/// </summary>
public sealed class EndpointDeadLetterRecovery(IWebhookDeliveryReadModel deliveries, DeadLetterRequeue requeue, IUnitOfWork unitOfWork,
    ILogger<EndpointDeadLetterRecovery> logger)
{
    public const int PageSize = 500;

    /// <returns>How many were requeued.</returns>
    public async Task<int> RecoverAsync(Guid tenantId, Guid endpointId, DateTimeOffset since, CancellationToken ct)
    {
        var requeued = 0;
        FailedDeliveryPosition? after = null;
        while (true)
        {
            var page = await deliveries.ListFailedAsync(endpointId, since, after, PageSize, ct);
            if (page.Count == 0) break;
            var ids = page.Select(p => p.Id).ToList();
            requeued += await UnitOfWorkRetry.ExecuteAsync(unitOfWork, c => requeue.RequeueAsync(tenantId, ids, c), "RequeueWebhookDeliveries", logger, ct);
            after = page[^1];
        }
        return requeued;
    }
}
