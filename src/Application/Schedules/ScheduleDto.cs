using System.Text.Json;

namespace Integrations.Application.Schedules;

/// <summary>What a schedule runs: a job kind and its configuration.</summary>
public sealed record ScheduleJobDto(string Kind, JsonElement Config);

/// <summary>A schedule as its tenant sees it.</summary>
/// <param name="NextRunAt">When it is due next (smoothing included); null while paused.</param>
/// <param name="RunRequested">A "run now" waits to be picked up.</param>
/// <param name="Checkpoint">The cursor the last successful run left for the next one.</param>
public sealed record ScheduleDto(
    Guid Id,
    Guid? ConnectionId,
    string? Name,
    ScheduleJobDto Job,
    string? Cron,
    string? TimeZone,
    int? IntervalSeconds,
    int? MaxRunSeconds,
    string Status,
    DateTimeOffset? NextRunAt,
    bool RunRequested,
    string? Checkpoint,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One run of a schedule.</summary>
/// <param name="Trigger">schedule (an occurrence), run_now, or retry (after a run was lost).</param>
/// <param name="Outcome">running, succeeded, failed, timed_out or lost.</param>
/// <param name="Checkpoint">The cursor this run left (a run that did not succeed leaves the previous one).</param>
public sealed record ScheduleRunDto(
    Guid Id,
    Guid ScheduleId,
    string Trigger,
    string Outcome,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    long? DurationMs,
    int RecordsRead,
    int RecordsWritten,
    string? Checkpoint,
    string? Error);
