namespace Integrations.Domain.Scheduling;

/// <summary>The wire values of a run's outcome (<c>running</c> until it ends).</summary>
public static class ScheduleRunOutcomes
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    /// <summary>It ran past its maximum run time and was cancelled by its worker.</summary>
    public const string TimedOut = "timed_out";
    /// <summary>Its worker stopped heartbeating (it died, or lost the database) before the run ended.</summary>
    public const string Lost = "lost";

    public static readonly IReadOnlyList<string> All = [Running, Succeeded, Failed, TimedOut, Lost];
}

/// <summary>
/// Smoothing: schedules due at the same moment (every tenant's nightly reconciliation at 02:00) are
/// spread over a window, each by an offset fixed by its id, so the same schedule always runs at the
/// same point of the window (its cadence stays regular) and many schedules cover it evenly.
/// </summary>
public static class ScheduleSmoothing
{
    /// <summary>An offset in [0, <paramref name="window"/>) that depends only on the schedule's id.</summary>
    public static TimeSpan Offset(Guid scheduleId, TimeSpan window)
    {
        if (window <= TimeSpan.Zero) return TimeSpan.Zero;
        // FNV-1a over the id's bytes: stable across processes and versions, unlike GetHashCode.
        var hash = 14695981039346656037UL;
        foreach (var b in scheduleId.ToByteArray())
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return TimeSpan.FromTicks((long)(hash % (ulong)window.Ticks));
    }

    /// <summary>When a schedule whose occurrence is <paramref name="occurrence"/> becomes due.</summary>
    public static DateTimeOffset DueAt(Guid scheduleId, DateTimeOffset occurrence, TimeSpan window) => occurrence + Offset(scheduleId, window);
}
