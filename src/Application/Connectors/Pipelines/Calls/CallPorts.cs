using Integrations.Application.Connections;
using Integrations.Domain.Connectors;

namespace Integrations.Application.Connectors.Pipelines.Calls;

/// <summary>A claimed call with everything needed to send it.</summary>
/// <param name="AttemptCount">HTTP attempts made so far.</param>
/// <param name="CycleAttempts">HTTP attempts since it was created or last replayed.</param>
/// <param name="LeaseUntil">The claim's lease: its result is recorded only while the call is still leased so (not claimed again meanwhile).</param>
public sealed record ClaimedCall(
    Guid Id, Guid TenantId, Guid ConnectionId, Guid RouteId, string Provider, string Action, Guid EventId, string EventType, PreparedRequest Request,
    int AttemptCount, int CycleAttempts, DateTimeOffset LeaseUntil);

/// <param name="More">The claim read as many rows as it could: more may be due right now.</param>
/// <param name="NextDueAt">The earliest time a pending call no one holds becomes due, if any.</param>
public sealed record CallClaim(IReadOnlyList<ClaimedCall> Calls, bool More, DateTimeOffset? NextDueAt);

/// <summary>
/// The dispatchers' side of the call ledger (the port of the claim step). Processes share it: each
/// claims its own rows (SKIP LOCKED) and leases them, so a process that dies leaves nothing behind.
/// </summary>
public interface IConnectorCallClaims
{
    /// <summary>
    /// In one short transaction: reads at most <paramref name="limit"/> due calls no one holds, oldest
    /// due first (SKIP LOCKED: processes never wait for each other's rows), skipping the connections and
    /// providers named (no room here, or waiting for a quota) and the connections whose circuit is open
    /// in any process; leases those <paramref name="admit"/> takes for <paramref name="lease"/> and
    /// leaves the others as they are.
    /// </summary>
    Task<CallClaim> ClaimAsync(int limit, IReadOnlyCollection<Guid> excludedConnections, IReadOnlyCollection<string> excludedProviders,
        Func<ClaimedCall, bool> admit, TimeSpan lease, CancellationToken ct);

    /// <summary>
    /// The connection cannot be called before <paramref name="until"/> (its circuit opened, a quota is
    /// used up): its due calls no one holds move there, out of every claim's way.
    /// </summary>
    Task DeferConnectionAsync(Guid connectionId, DateTimeOffset until, CancellationToken ct);
}

/// <summary>One row of the attempt log as the run made it.</summary>
/// <param name="Sent">False for a wait without a request (circuit_open, quota_wait).</param>
public sealed record CallAttemptRecord(
    bool Sent, string Method, string Url, DateTimeOffset StartedAt, int DurationMs, int? StatusCode, string? ErrorKind, string? ResponseBodyExcerpt)
{
    /// <summary>A 2xx without an error kind: a 2xx whose body names an error (Slack's ok:false) is not a success.</summary>
    public bool Succeeded => Sent && StatusCode is >= 200 and < 300 && ErrorKind is null;
}

/// <summary>How a run ended.</summary>
public abstract record CallRunEnd
{
    /// <summary>Its attempts ended with <paramref name="Last"/>; <paramref name="NotBefore"/> is when the provider said the next may go.</summary>
    public sealed record Attempted(CallAttemptOutcome Last, DateTimeOffset? NotBefore) : CallRunEnd;

    /// <summary>Not (or no longer) sent: the connection's circuit is open until then.</summary>
    public sealed record CircuitOpen(DateTimeOffset Until) : CallRunEnd;

    /// <summary>Not (or no longer) sent: a quota is used up until then.</summary>
    public sealed record QuotaWait(DateTimeOffset Until, bool ProviderWide) : CallRunEnd;
}

/// <param name="Answer">The whole body of the last attempt's answer when the run was asked to keep it and it was complete; null otherwise.</param>
public sealed record CallRun(IReadOnlyList<CallAttemptRecord> Attempts, CallRunEnd End, string? Answer = null);

/// <summary>
/// Sends one call (the port of the send step): through the connection's resilience pipeline (the
/// attempt timeout, its circuit breaker, retries with backoff and jitter that honour Retry-After and
/// the provider's reset headers, waits longer than Connectors:Retry:MaxDelay handed back to the
/// ledger), the quotas counted before each attempt, the credentials added to each request and
/// renewed once after a 401. Connects only where the SSRF rules allow, follows no redirect, reads
/// the first 1 KiB of an answer (the whole answer, up to <see cref="IFollowingConnectorAction.MaxAnswerBytes"/>,
/// when asked to keep it). Every outcome, an error included, is a <see cref="CallRun"/>.
/// </summary>
public interface IConnectorCallSender
{
    /// <param name="attemptsLeft">HTTP attempts this run may make (Connectors:Retry:MaxAttempts less those already made).</param>
    /// <param name="keepAnswer">Read the whole answer for <see cref="CallRun.Answer"/> (a <see cref="IFollowingConnectorAction"/>'s call).</param>
    /// <param name="renew">Called after a 401 with the refused access; returns fresher credentials or throws <see cref="ConnectionUnusableException"/>.</param>
    /// <param name="abort">Cancelled only when the host's shutdown timeout runs out: the run is then not recorded.</param>
    Task<CallRun> RunAsync(ClaimedCall call, ConnectionAccess access, int attemptsLeft, bool keepAnswer, Func<ConnectionAccess, CancellationToken, Task<ConnectionAccess>> renew,
        CancellationToken abort);
}

/// <summary>Wakes the call pipeline when calls became due now: committed in this process at once, in others through the database.</summary>
public interface ICallWakeups
{
    Task ListenAsync(Action wake, CancellationToken stopping);
}

/// <summary>Writes the results of runs (the port of the record step), in the caller's transaction.</summary>
public interface IConnectorCallResults
{
    /// <summary>
    /// Appends each call's attempts to its log and moves it to its next step (succeeded, due again,
    /// dead-lettered), for calls still leased as claimed; a late result of a call claimed again
    /// meanwhile (its lease ran out) is dropped.
    /// </summary>
    /// <returns>The calls whose results were recorded.</returns>
    Task<IReadOnlyList<Guid>> RecordAsync(IReadOnlyList<CompletedCall> calls, CancellationToken ct);
}
