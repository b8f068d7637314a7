using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections;
using Integrations.Domain.Connectors;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Connectors.Pipelines.Calls;

/// <summary>
/// The send step: every claimed call runs on a task of its own, so the claim loop never waits for a
/// provider and a slow one holds only its own connections' room (<see cref="ConnectorLoad"/>). A run
/// gets the connection's credentials (<see cref="ConnectionAccessCache"/>), sends through
/// <see cref="IConnectorCallSender"/>, and hands what came of it, with the call's next step
/// (<see cref="ConnectorCallPolicy"/>), to the record step. A connection whose circuit opened or
/// whose quota ran out is blocked here until then, and its queued calls are moved out of the way.
/// </summary>
public sealed class CallAttempts(
    IConnectorCallSender sender,
    IConnectorCallClaims claims,
    ConnectionAccessCache access,
    ConnectorLoad load,
    CallResultRecorder results,
    ConnectorCallsState state,
    ConnectorsOptions options,
    IClock clock,
    IConnectorActions actions,
    ILogger<CallAttempts> logger)
{
    /// <summary>A connection whose refresh is cooling down is asked again after this.</summary>
    private static readonly TimeSpan CoolingDownWait = TimeSpan.FromMinutes(1);

    public void Start(ClaimedCall call)
    {
        state.Dispatch.Started();
        _ = Task.Run(() => RunAsync(call), CancellationToken.None);
    }

    private async Task RunAsync(ClaimedCall call)
    {
        var abort = state.Dispatch.Aborting;
        try
        {
            var completed = await AttemptAsync(call, abort);
            results.Add(completed);
        }
        catch (OperationCanceledException) when (state.Dispatch.Aborted)
        {
            // Cut off at the shutdown deadline: not recorded, so the lease runs out and the call goes again (same idempotency key).
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Connector call {CallId} failed before any request; it goes again when its lease runs out", call.Id);
        }
        finally
        {
            load.Release(call);
            state.Dispatch.Finished();
        }
    }

    private async Task<CompletedCall> AttemptAsync(ClaimedCall call, CancellationToken abort)
    {
        ConnectionAccess connection;
        try
        {
            connection = await access.GetAsync(call.TenantId, call.ConnectionId, abort);
        }
        catch (ConnectionUnusableException ex) when (ex.Status == "cooling_down")
        {
            return Completed(call, [], new CallStep.WaitUntil(clock.UtcNow + CoolingDownWait));
        }
        catch (Exception ex) when (ex is ConnectionUnusableException or NotFoundException)
        {
            // Needs re-authorisation, revoked, deleted: dead letters the tenant replays once it reconnected.
            var status = ex is ConnectionUnusableException unusable ? unusable.Status : "deleted";
            logger.LogInformation("Connector call {CallId}: connection {ConnectionId} cannot be used ({Status})", call.Id, call.ConnectionId, status);
            return Completed(call, [], new CallStep.DeadLetter(CallFailureReasons.ConnectionUnusable));
        }

        Func<ConnectionAccess, CancellationToken, Task<ConnectionAccess>> renew = access.RenewAsync;
        if (await access.CallBaseUrlAsync(call, connection, abort) is { } callBase)
        {
            // A conversation's own service URL (Teams): renewed credentials go there too.
            connection = connection with { BaseUrl = callBase };
            renew = async (refused, ct) => await access.RenewAsync(refused, ct) with { BaseUrl = callBase };
        }
        var following = actions.Find(call.Action) as IFollowingConnectorAction;
        var run = await sender.RunAsync(call, connection, Math.Max(1, options.Retry.MaxAttempts - call.CycleAttempts), following is not null, renew, abort);
        var sent = run.Attempts.Count(a => a.Sent);
        var now = clock.UtcNow;
        CallStep step = run.End switch
        {
            CallRunEnd.Attempted a => ConnectorCallPolicy.Next(a.Last, call.CycleAttempts + sent, options.Retry.MaxAttempts, a.NotBefore, now),
            CallRunEnd.CircuitOpen c => new CallStep.WaitUntil(c.Until),
            CallRunEnd.QuotaWait q => new CallStep.WaitUntil(q.Until),
            _ => throw new InvalidOperationException("Unknown end of a run."),
        };
        await BlockAsync(call, run.End, abort);
        return step is CallStep.Done && following is not null ? FollowedUp(call, run, following) : Completed(call, run.Attempts, step);
    }

    /// <summary>
    /// A succeeded call of an action whose work goes on: what its answer leads to. A refusal dead-letters the
    /// call with a row (not a request) whose excerpt says why, so the attempt log shows it beside Jira's answer.
    /// </summary>
    private CompletedCall FollowedUp(ClaimedCall call, CallRun run, IFollowingConnectorAction following)
    {
        switch (following.After(call.Request, run.Answer))
        {
            case FollowUp.Next next:
                return new CompletedCall(call, run.Attempts, new CallStep.Done(), next);
            case FollowUp.Refused refused:
                logger.LogInformation("Connector call {CallId}: its action {Action} goes no further: {Reason}", call.Id, call.Action, refused.Reason);
                var last = run.Attempts[^1];
                var excerpt = refused.Reason.Length <= 1024 ? refused.Reason : refused.Reason[..1023] + "…";
                return Completed(call, [.. run.Attempts, new CallAttemptRecord(false, last.Method, last.Url, clock.UtcNow, 0, null, CallErrorKinds.FollowUpRefused, excerpt)],
                    new CallStep.DeadLetter(CallFailureReasons.FollowUpRefused));
            default:
                return Completed(call, run.Attempts, new CallStep.Done());
        }
    }

    /// <summary>
    /// An open circuit or a used-up quota: nothing more of the connection (or the provider) is
    /// claimed here until then, and the connection's queued calls move there in one statement, out
    /// of every claim's way, instead of each being claimed and handed back.
    /// </summary>
    private async Task BlockAsync(ClaimedCall call, CallRunEnd end, CancellationToken abort)
    {
        var (until, extends) = end switch
        {
            CallRunEnd.CircuitOpen c => (c.Until, load.BlockConnection(call.ConnectionId, c.Until)),
            CallRunEnd.QuotaWait { ProviderWide: true } q => (q.Until, load.BlockProvider(call.Provider, q.Until)),
            CallRunEnd.QuotaWait q => (q.Until, load.BlockConnection(call.ConnectionId, q.Until)),
            _ => (default(DateTimeOffset), false),
        };
        if (!extends) return;
        try
        {
            await claims.DeferConnectionAsync(call.ConnectionId, until, abort);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Only an optimisation: the claims skip the blocked connection here, and each of its calls waits on its own when claimed elsewhere.
            logger.LogWarning(ex, "Deferring the queued calls of connection {ConnectionId} to {Until} failed", call.ConnectionId, until);
        }
    }

    private static CompletedCall Completed(ClaimedCall call, IReadOnlyList<CallAttemptRecord> attempts, CallStep step) => new(call, attempts, step);
}

/// <summary>A call done with for now: the attempts of its run, and what happens next.</summary>
/// <param name="Next">The call that follows this succeeded one (<see cref="IFollowingConnectorAction"/>), created when the result is recorded.</param>
public sealed record CompletedCall(ClaimedCall Call, IReadOnlyList<CallAttemptRecord> Attempts, CallStep Step, FollowUp.Next? Next = null);
