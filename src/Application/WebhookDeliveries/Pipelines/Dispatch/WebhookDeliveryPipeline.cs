using Integrations.Application.Common.Pipelines;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;

/// <summary>
/// Webhook delivery, the Workers' webhook-delivery pipeline, as named steps over small ports:
/// <list type="number">
/// <item><b>claim</b> (this loop, <see cref="IWebhookDeliveryClaims"/>): due deliveries, as long as this instance
/// has room (<see cref="WebhookDispatcherOptions.MaxConcurrency"/> deliveries held);</item>
/// <item><b>admit and pace</b> (<see cref="DeliveryAdmission"/>, inside the claim): the circuit, the rate limit and this
/// instance's room per endpoint (<see cref="EndpointLoad"/>) decide which go and when;</item>
/// <item><b>send</b> (<see cref="DeliveryAttempts"/>), each delivery on its own task once its slot and a connection
/// are there, after the <b>sign</b> step (<see cref="DeliverySigner"/>), through <see cref="IWebhookSender"/>;</item>
/// <item><b>record</b> (<see cref="DeliveryResultRecorder"/>): results in batches, one transaction each.</item>
/// </list>
/// The loop wakes when deliveries become due now (<see cref="IDeliveryWakeups"/>: committed in this
/// process or NOTIFY from another), when capacity frees up while it waits for some, at the next known
/// due time, and at least every <see cref="WebhookDispatcherOptions.PollInterval"/> (which is when
/// retries scheduled after its last look are found); never once per finished request, which would
/// cost a claim transaction each. <see cref="RunAsync"/> stops claiming when its token is cancelled
/// and lets requests in flight finish and be recorded until <see cref="Abort"/> (the host's shutdown
/// timeout); anything cut off then is sent again when its lease runs out.
/// </summary>
public sealed class WebhookDeliveryPipeline(
    IWebhookDeliveryClaims claims,
    DeliveryAdmission admission,
    DeliveryAttempts attempts,
    DeliveryResultRecorder results,
    IDeliveryWakeups wakeups,
    DispatchState state,
    WebhookDispatcherOptions options,
    ILogger<WebhookDeliveryPipeline> logger)
{
    private static readonly TimeSpan ErrorDelay = TimeSpan.FromSeconds(1);

    /// <summary>Deliveries this instance holds: in flight, or waiting for their rate-limit slot or a connection.</summary>
    public int InFlight => state.InFlight;

    /// <summary>Cuts off requests in flight and result writes (the host's shutdown timeout ran out).</summary>
    public void Abort() => state.Abort();

    /// <summary>Runs until <paramref name="stopping"/> is cancelled and what was in flight is recorded (or <see cref="Abort"/>).</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var writers = results.StartWriters();
        var listener = Task.Run(() => wakeups.ListenAsync(state.Wake, stopping), CancellationToken.None);
        try
        {
            await ClaimAsync(stopping);
        }
        finally
        {
            while (state.InFlight > 0 && !state.Aborted) await Task.Delay(50, CancellationToken.None);
            results.Complete();
            await Task.WhenAll(writers.Append(listener));
        }
    }

    private async Task ClaimAsync(CancellationToken stopping)
    {
        // Claim again only once a useful share of capacity is free, not for every finished request.
        var worthClaiming = Math.Max(1, Math.Min(options.ClaimBatchSize, options.MaxConcurrency) / 4);
        while (!stopping.IsCancellationRequested)
        {
            var budget = Math.Min(options.MaxConcurrency - state.InFlight, options.ClaimBatchSize);
            if (budget < worthClaiming)
            {
                await state.WaitForCapacityAsync(options.MaxConcurrency, worthClaiming, options.PollInterval, stopping);
                continue;
            }

            ClaimResult claim;
            try
            {
                claim = await claims.ClaimAsync(budget, admission, stopping);
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Claiming webhook deliveries failed; trying again in {Delay}", ErrorDelay);
                await Task.Delay(ErrorDelay, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }

            foreach (var cancelled in claim.Cancelled) results.Add(new CompletedDelivery(cancelled.DeliveryId, cancelled.TenantId, null, cancelled.Reason, null));
            foreach (var delivery in claim.Deliveries) attempts.Start(delivery);
            if (claim.More) continue;

            var untilDue = claim.NextDueAt is { } next ? next - DateTimeOffset.UtcNow : options.PollInterval;
            await state.WaitAsync(untilDue < options.PollInterval ? untilDue : options.PollInterval, stopping);
        }
    }
}
