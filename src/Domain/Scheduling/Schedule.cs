using Integrations.Domain.Common;

namespace Integrations.Domain.Scheduling;

// A schedule runs one job (a job kind and its configuration) for a tenant, optionally through one of
// its connections, on a cron expression in a time zone or every interval. The runner's bookkeeping
// (when it is due next, the checkpoint its runs leave) is not in the stream: events only move the due
// time where a command must (created, timing changed, resumed, run now). Occurrences are computed
// outside the domain (Cronos, in Application) and handed in with the command.

public interface IScheduleEvent
{
    Guid ScheduleId { get; }

    Guid TenantId { get; }
}

/// <summary>When a schedule runs: a cron expression in an IANA time zone, or every <see cref="IntervalSeconds"/>.</summary>
public sealed record ScheduleTiming(string? Cron, string? TimeZone, int? IntervalSeconds)
{
    public const int MinIntervalSeconds = 30;

    public static ScheduleTiming Every(int seconds) => new(null, null, seconds);

    public static ScheduleTiming OnCron(string cron, string timeZone) => new(cron, timeZone, null);

    public bool IsCron => Cron is not null;
}

/// <summary>The wire values of a schedule's status.</summary>
public static class ScheduleStatuses
{
    public const string Active = "active";
    public const string Paused = "paused";
}

/// <param name="ConnectionId">The connection the job acts through (its credentials, its provider's quotas); null for none.</param>
/// <param name="Provider">The connection's provider (it never changes): the runner bounds concurrency and quota by it.</param>
/// <param name="FirstDueAt">The first occurrence after creation.</param>
public sealed record ScheduleCreated(Guid ScheduleId, Guid TenantId, Guid? ConnectionId, string? Provider, string? Name, string JobKind, string JobConfigJson,
    ScheduleTiming Timing, int? MaxRunSeconds, DateTimeOffset FirstDueAt, DateTimeOffset CreatedAt) : IScheduleEvent;

/// <param name="NextDueAt">The next occurrence when the timing changed; null when it did not (the due time stays).</param>
public sealed record ScheduleUpdated(Guid ScheduleId, Guid TenantId, string? Name, string JobConfigJson, ScheduleTiming Timing, int? MaxRunSeconds,
    DateTimeOffset? NextDueAt, DateTimeOffset UpdatedAt) : IScheduleEvent;

public sealed record SchedulePaused(Guid ScheduleId, Guid TenantId, DateTimeOffset At) : IScheduleEvent;

/// <summary>Resumed: it runs next at <see cref="NextDueAt"/>, the first occurrence after now (occurrences missed while paused are not caught up).</summary>
public sealed record ScheduleResumed(Guid ScheduleId, Guid TenantId, DateTimeOffset NextDueAt, DateTimeOffset At) : IScheduleEvent;

/// <summary>"Run now": one run as soon as the runner has room, besides the regular occurrences.</summary>
public sealed record ScheduleRunRequested(Guid ScheduleId, Guid TenantId, DateTimeOffset At) : IScheduleEvent;

public sealed record ScheduleDeleted(Guid ScheduleId, Guid TenantId, DateTimeOffset At) : IScheduleEvent;

public abstract record ScheduleCommand;

public sealed record CreateSchedule(Guid ScheduleId, Guid TenantId, Guid? ConnectionId, string? Provider, string? Name, string JobKind, string JobConfigJson,
    ScheduleTiming Timing, int? MaxRunSeconds, DateTimeOffset FirstDueAt, DateTimeOffset Now) : ScheduleCommand;

/// <summary>A merge: null keeps what the schedule has. <paramref name="NextDueAt"/> comes with a new timing.</summary>
public sealed record UpdateSchedule(string? Name, string? JobConfigJson, ScheduleTiming? Timing, int? MaxRunSeconds, DateTimeOffset? NextDueAt,
    DateTimeOffset Now) : ScheduleCommand;

public sealed record PauseSchedule(DateTimeOffset Now) : ScheduleCommand;

public sealed record ResumeSchedule(DateTimeOffset NextDueAt, DateTimeOffset Now) : ScheduleCommand;

public sealed record RunScheduleNow(DateTimeOffset Now) : ScheduleCommand;

public sealed record DeleteSchedule(DateTimeOffset Now) : ScheduleCommand;

public sealed record ScheduleState(Guid ScheduleId, Guid TenantId, Guid? ConnectionId, string? Name, string JobKind, string JobConfigJson,
    ScheduleTiming Timing, int? MaxRunSeconds, bool Paused, bool Deleted)
{
    public static readonly ScheduleState None = new(Guid.Empty, Guid.Empty, null, null, "", "{}", ScheduleTiming.Every(ScheduleTiming.MinIntervalSeconds),
        null, false, false);

    public bool Exists => ScheduleId != Guid.Empty && !Deleted;
}

public static class ScheduleDecider
{
    public const int MaxNameLength = 200;

    /// <summary>The longest a run may be allowed to take: a day.</summary>
    public const int MaxRunSecondsLimit = 86_400;

    public static readonly Decider<ScheduleCommand, ScheduleState, IScheduleEvent> Decider = new(Decide, Evolve, ScheduleState.None);

    public static string StreamId(Guid scheduleId) => $"schedule-{scheduleId:N}";

    public static IReadOnlyList<IScheduleEvent> Decide(ScheduleCommand command, ScheduleState state) => command switch
    {
        CreateSchedule when state.ScheduleId != Guid.Empty => throw new DomainException("schedule_exists", "The schedule already exists."),
        CreateSchedule c => [new ScheduleCreated(c.ScheduleId, c.TenantId, c.ConnectionId, c.Provider, Name(c.Name), JobKind(c.JobKind), c.JobConfigJson,
            Timing(c.Timing), MaxRun(c.MaxRunSeconds), c.FirstDueAt, c.Now)],
        _ when !state.Exists => throw new DomainException("schedule_not_found", "The schedule does not exist."),
        UpdateSchedule c => Update(c, state),
        PauseSchedule c => state.Paused ? [] : [new SchedulePaused(state.ScheduleId, state.TenantId, c.Now)],
        ResumeSchedule c => state.Paused ? [new ScheduleResumed(state.ScheduleId, state.TenantId, c.NextDueAt, c.Now)] : [],
        RunScheduleNow c => [new ScheduleRunRequested(state.ScheduleId, state.TenantId, c.Now)],
        DeleteSchedule c => [new ScheduleDeleted(state.ScheduleId, state.TenantId, c.Now)],
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown schedule command."),
    };

    public static ScheduleState Evolve(ScheduleState state, IScheduleEvent @event) => @event switch
    {
        ScheduleCreated e => new ScheduleState(e.ScheduleId, e.TenantId, e.ConnectionId, e.Name, e.JobKind, e.JobConfigJson, e.Timing, e.MaxRunSeconds,
            false, false),
        ScheduleUpdated e => state with { Name = e.Name, JobConfigJson = e.JobConfigJson, Timing = e.Timing, MaxRunSeconds = e.MaxRunSeconds },
        SchedulePaused => state with { Paused = true },
        ScheduleResumed => state with { Paused = false },
        ScheduleDeleted => state with { Deleted = true },
        _ => state,
    };

    private static IReadOnlyList<IScheduleEvent> Update(UpdateSchedule c, ScheduleState state)
    {
        var name = c.Name is null ? state.Name : Name(c.Name);
        var config = c.JobConfigJson ?? state.JobConfigJson;
        var timing = c.Timing is null ? state.Timing : Timing(c.Timing);
        var maxRun = c.MaxRunSeconds is null ? state.MaxRunSeconds : MaxRun(c.MaxRunSeconds);
        if (name == state.Name && config == state.JobConfigJson && timing == state.Timing && maxRun == state.MaxRunSeconds) return [];
        if (timing != state.Timing && c.NextDueAt is null)
            throw new ArgumentException("A new timing comes with its next occurrence.", nameof(c));
        return [new ScheduleUpdated(state.ScheduleId, state.TenantId, name, config, timing, maxRun, timing == state.Timing ? null : c.NextDueAt, c.Now)];
    }

    /// <summary>Exactly one of a cron expression (with its time zone) or an interval of at least 30 s.</summary>
    private static ScheduleTiming Timing(ScheduleTiming timing) => timing switch
    {
        { Cron: not null, IntervalSeconds: not null } => throw Invalid("Give either cron or interval_seconds, not both."),
        { Cron: null, IntervalSeconds: null } => throw Invalid("A schedule needs cron (with time_zone) or interval_seconds."),
        { Cron: { } cron } when string.IsNullOrWhiteSpace(cron) => throw Invalid("cron must not be empty."),
        { Cron: not null, TimeZone: null or "" } => throw Invalid("time_zone is required with cron (an IANA name such as Europe/Amsterdam, or UTC)."),
        { IntervalSeconds: < ScheduleTiming.MinIntervalSeconds } =>
            throw Invalid($"interval_seconds must be at least {ScheduleTiming.MinIntervalSeconds}."),
        { IntervalSeconds: not null, TimeZone: not null } => timing with { TimeZone = null },
        _ => timing,
    };

    private static int? MaxRun(int? seconds) => seconds switch
    {
        null => null,
        < 1 or > MaxRunSecondsLimit => throw Invalid($"max_run_seconds must be between 1 and {MaxRunSecondsLimit}."),
        _ => seconds,
    };

    /// <summary>An empty name is no name, so a merge patch can remove it.</summary>
    private static string? Name(string? name) => name switch
    {
        null or "" => null,
        { Length: > MaxNameLength } => throw Invalid($"name is longer than {MaxNameLength} characters."),
        _ => name,
    };

    private static string JobKind(string kind) => string.IsNullOrWhiteSpace(kind) ? throw Invalid("job.kind is required.") : kind;

    private static DomainException Invalid(string message) => new("invalid_schedule", message);
}
