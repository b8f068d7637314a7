namespace Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;

/// <summary>
/// Tells the dispatch pipeline that deliveries became due now (the port of its waking): those this
/// process committed as soon as they are committed, those of other processes (other Workers
/// instances, the API's tests and retries) through the database. Scheduled retries are not
/// announced: the pipeline's poll finds them.
/// </summary>
public interface IDeliveryWakeups
{
    /// <summary>
    /// Calls <paramref name="wake"/> whenever deliveries became due now, and once when it starts
    /// listening (what was committed before is for the next claim to find). Returns when
    /// <paramref name="stopping"/> is cancelled; a broken connection is retried meanwhile, the
    /// pipeline's poll covering the gap.
    /// </summary>
    Task ListenAsync(Action wake, CancellationToken stopping);
}
