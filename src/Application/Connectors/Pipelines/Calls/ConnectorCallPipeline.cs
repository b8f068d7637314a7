using Microsoft.Extensions.Logging;

namespace Integrations.Application.Connectors.Pipelines.Calls;

/// <summary>
/// The connector calls, the Workers' connectors pipeline (events are routed into the ledger by the
/// events dispatch, <see cref="Routing.ConnectorRouting"/>), as named steps over small ports:
/// <list type="number">
/// <item><b>claim</b> (this loop, <see cref="IConnectorCallClaims"/>): due calls, as long as this process has room
/// (Connectors:MaxConcurrency calls held), leased;</item>
/// <item><b>admit</b> (<see cref="ConnectorLoad"/>, inside the claim): only calls whose connection and provider have room
/// here, and that no open circuit or used-up quota blocks;</item>
/// <item><b>send</b> (<see cref="CallAttempts"/>), each call on its own task: its credentials, then its run through the
/// connection's resilience pipeline (<see cref="IConnectorCallSender"/>);</item>
/// <item><b>record</b> (<see cref="CallResultRecorder"/>): results in batches, one transaction each, with the incidents they open or clear.</item>
/// </list>
/// The loop wakes when calls are committed (<see cref="ICallWakeups"/>), when capacity frees up while
/// it waits for some, at the next known due time, and at least every Connectors:PollInterval. It stops
/// claiming when its token is cancelled and lets runs finish and be recorded until <see cref="Abort"/>
/// (the host's shutdown timeout); a call cut off then goes again when its lease runs out.
/// </summary>
public sealed class ConnectorCallPipeline(
    IConnectorCallClaims claims,
    ConnectorLoad load,
    CallAttempts attempts,
    CallResultRecorder results,
    ICallWakeups wakeups,
    ConnectorCallsState state,
    ConnectorsOptions options,
    ILogger<ConnectorCallPipeline> logger)
{
    private static readonly TimeSpan ErrorDelay = TimeSpan.FromSeconds(1);

    /// <summary>Calls this process holds.</summary>
    public int InFlight => state.Dispatch.InFlight;

    public void Abort() => state.Dispatch.Abort();

    public async Task RunAsync(CancellationToken stopping)
    {
        var writers = results.StartWriters();
        var listener = Task.Run(() => wakeups.ListenAsync(state.Dispatch.Wake, stopping), CancellationToken.None);
        try
        {
            await ClaimAsync(stopping);
        }
        finally
        {
            while (state.Dispatch.InFlight > 0 && !state.Dispatch.Aborted) await Task.Delay(50, CancellationToken.None);
            results.Complete();
            await Task.WhenAll(writers.Append(listener));
        }
    }

    private async Task ClaimAsync(CancellationToken stopping)
    {
        var worthClaiming = Math.Max(1, Math.Min(options.ClaimBatchSize, options.MaxConcurrency) / 4);
        while (!stopping.IsCancellationRequested)
        {
            var budget = Math.Min(options.MaxConcurrency - state.Dispatch.InFlight, options.ClaimBatchSize);
            if (budget < worthClaiming)
            {
                await state.Dispatch.WaitForCapacityAsync(options.MaxConcurrency, worthClaiming, options.PollInterval, stopping);
                continue;
            }

            CallClaim claim;
            var admitted = new List<ClaimedCall>();
            try
            {
                var (connections, providers) = load.Excluded();
                claim = await claims.ClaimAsync(budget, connections, providers, call =>
                {
                    if (admitted.Count >= budget || !load.TryHold(call)) return false;
                    admitted.Add(call);
                    return true;
                }, options.Lease, stopping);
            }
            catch (Exception ex)
            {
                // Nothing was leased: what the admission held goes back.
                foreach (var call in admitted) load.Release(call);
                if (stopping.IsCancellationRequested) return;
                logger.LogWarning(ex, "Claiming connector calls failed; trying again in {Delay}", ErrorDelay);
                await Task.Delay(ErrorDelay, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            foreach (var call in claim.Calls) attempts.Start(call);
            // A full read that took some may have left others' calls behind connections that are full now: look again at once.
            if (claim.More && claim.Calls.Count > 0) continue;

            var untilDue = claim.NextDueAt is { } next ? next - DateTimeOffset.UtcNow : options.PollInterval;
            await state.Dispatch.WaitAsync(untilDue < options.PollInterval ? untilDue : options.PollInterval, stopping);
        }
    }
}
