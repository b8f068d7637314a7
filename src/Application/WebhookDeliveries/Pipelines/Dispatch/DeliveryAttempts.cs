using Integrations.Application.Common.Pipelines;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;

/// <summary>
/// The send step: every claimed delivery is attempted on a task of its own, so the claim loop never
/// waits for a request and a slow or hanging endpoint holds only its own connections
/// (<see cref="WebhookDispatcherOptions.MaxConcurrencyPerEndpoint"/>), never another endpoint or
/// tenant. A delivery waits for its rate-limit slot and for a connection of its endpoint; one that
/// waits longer than <see cref="ConnectionWait"/> (its endpoint slowed down), or whose endpoint
/// tripped its circuit here meanwhile, goes back to the queue unsent. The rest is signed
/// (<see cref="DeliverySigner"/>), sent (<see cref="IWebhookSender"/>) and handed to the record step.
/// </summary>
public sealed class DeliveryAttempts(
    IWebhookSender sender,
    DeliverySigner signer,
    EndpointLoad load,
    DeliveryResultRecorder results,
    DispatchState state,
    WebhookDispatcherOptions options,
    ILogger<DeliveryAttempts> logger)
{
    // A delivery that waits longer than this for a connection goes back to the queue.
    private static readonly TimeSpan ConnectionWait = TimeSpan.FromSeconds(1);

    public void Start(ClaimedDelivery delivery)
    {
        state.Started();
        var slots = load.Hold(delivery.EndpointId);
        _ = Task.Run(() => SendAsync(delivery, slots), CancellationToken.None);
    }

    private async Task SendAsync(ClaimedDelivery delivery, EndpointSlots slots)
    {
        var abort = state.Aborting;
        var connected = false;
        try
        {
            var wait = delivery.SendAt - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, abort);
            if (!(connected = await slots.Connections.WaitAsync(ConnectionWait, abort)))
            {
                // The endpoint got slower since the claim: the queue decides again, for any instance, rather than the lease running out here.
                results.Add(new CompletedDelivery(delivery.DeliveryId, delivery.TenantId, null, null, DateTimeOffset.UtcNow + load.ResponseTime(delivery.EndpointId)));
                return;
            }
            if (!delivery.ReleasesHeld && load.TrippedHere(delivery.EndpointId))
            {
                // Claimed before the circuit opened, sent after: back to the queue, whose next claim sees the recorded failures.
                results.Add(new CompletedDelivery(delivery.DeliveryId, delivery.TenantId, null, null, DateTimeOffset.UtcNow + options.CircuitBreaker.OpenFor));
                return;
            }
            var result = signer.Sign(delivery) is { } request
                ? await sender.SendAsync(request, abort)
                : new SendResult(DateTimeOffset.UtcNow, 0, null, SendErrorKinds.SsrfBlocked, null, null);
            load.Answered(delivery.EndpointId, result);
            results.Add(new CompletedDelivery(delivery.DeliveryId, delivery.TenantId, result, null, null,
                delivery.ReleasesHeld ? delivery.EndpointId : null));
        }
        catch (OperationCanceledException) when (state.Aborted)
        {
            // Cut off at the shutdown deadline: not recorded, so the lease runs out and it is sent again.
        }
        catch (Exception ex)
        {
            // E.g. a secret that no configured key decrypts: left to its lease, so it is retried once the platform is fixed.
            logger.LogError(ex, "Sending webhook delivery {DeliveryId} failed before any request", delivery.DeliveryId);
        }
        finally
        {
            if (connected) slots.Connections.Release();
            load.Release(delivery.EndpointId, slots);
            state.Finished();
        }
    }
}
