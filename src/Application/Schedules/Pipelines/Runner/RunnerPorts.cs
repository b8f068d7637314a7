using Integrations.Domain.Scheduling;

namespace Integrations.Application.Schedules.Pipelines.Runner;

/// <summary>A schedule that is due (or asked to run) as the claim read it.</summary>
/// <param name="RequestedRun">run_now or retry, when a run was asked for besides the occurrences.</param>
/// <param name="Due">Its occurrence has come (it is active and past its due time).</param>
public sealed record DueSchedule(Guid ScheduleId, Guid TenantId, Guid? ConnectionId, string? Provider, string JobKind, string ConfigJson, ScheduleTiming Timing,
    int? MaxRunSeconds, string? Checkpoint, string? RequestedRun, bool Due)
{
    public RunScope Scope => new(TenantId, ConnectionId, Provider);
}

/// <summary>A run this process claimed: it must heartbeat it and end it before <see cref="Deadline"/>.</summary>
public sealed record ClaimedRun(Guid RunId, DueSchedule Schedule, string Trigger, DateTimeOffset Deadline);

/// <summary>How a claim decides: which due schedules start (the admission), and when each is due next.</summary>
public sealed record ClaimPolicy(Func<IReadOnlyList<RunScope>, IReadOnlyList<DueSchedule>, IReadOnlyList<DueSchedule>> Admit,
    Func<DueSchedule, DateTimeOffset?> NextDue, Func<DueSchedule, TimeSpan> MaxRunTime);

/// <summary>The runner's side of <c>schedule_runs</c> (ADR 0021).</summary>
public interface IScheduleRunClaims
{
    /// <summary>
    /// One claim, one at a time across processes: runs whose worker stopped heartbeating become lost
    /// (their schedule asked to run again), then due schedules without a running run are admitted by
    /// the policy, get a running run each, and move to their next due time.
    /// </summary>
    Task<IReadOnlyList<ClaimedRun>> ClaimAsync(string worker, int room, ClaimPolicy policy, CancellationToken ct);

    /// <summary>Tells the database these runs are alive; returns those that are still this worker's (the others were declared lost).</summary>
    Task<IReadOnlySet<Guid>> HeartbeatAsync(string worker, IReadOnlyCollection<Guid> runIds, CancellationToken ct);

    /// <summary>Ends a run that did not succeed (failed, timed_out); its schedule keeps its checkpoint.</summary>
    Task FailAsync(string worker, Guid runId, string outcome, string error, CancellationToken ct);
}

/// <summary>A successful run's end, in the caller's transaction (with the events it emits).</summary>
public interface IScheduleRunLedger
{
    /// <returns>False if the run is no longer this worker's running run (it was declared lost): nothing may be recorded for it.</returns>
    Task<bool> CompleteAsync(string worker, ClaimedRun run, int recordsRead, int recordsWritten, string? checkpoint, CancellationToken ct);
}
