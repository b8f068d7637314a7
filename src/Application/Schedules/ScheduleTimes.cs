using Cronos;
using Integrations.Domain.Scheduling;

namespace Integrations.Application.Schedules;

/// <summary>
/// Occurrences of a schedule's timing: cron expressions with Cronos (five fields, or six with
/// seconds first) in an IANA time zone, or intervals. Cronos skips a local time that a DST change
/// removes and runs an ambiguous one once. Cron occurrences are smoothed (<see cref="ScheduleSmoothing"/>).
/// </summary>
public sealed class ScheduleTimes(SchedulesOptions options)
{
    /// <summary>The expression parsed, or null with why not.</summary>
    public static CronExpression? ParseCron(string? cron, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(cron)) return null;
        var text = cron.Trim();
        var format = text.StartsWith('@') || text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 6 ? CronFormat.Standard : CronFormat.IncludeSeconds;
        try
        {
            return CronExpression.Parse(text, format);
        }
        catch (CronFormatException ex)
        {
            problem = ex.Message;
            return null;
        }
    }

    /// <summary>The IANA (or Windows) time zone of that id, or null.</summary>
    public static TimeZoneInfo? FindZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return null;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id.Trim());
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    /// <summary>When the schedule is next due after <paramref name="after"/>; null for a cron expression that never occurs again.</summary>
    public DateTimeOffset? NextDue(Guid scheduleId, ScheduleTiming timing, DateTimeOffset after)
    {
        if (timing.IntervalSeconds is { } seconds) return after.AddSeconds(seconds);
        var cron = ParseCron(timing.Cron, out _) ?? throw new InvalidOperationException($"Schedule {scheduleId} has an invalid cron expression.");
        var zone = FindZone(timing.TimeZone) ?? throw new InvalidOperationException($"Schedule {scheduleId} has an unknown time zone.");
        if (cron.GetNextOccurrence(after, zone) is not { } occurrence) return null;
        // Within the cron's own period, so smoothing never pushes a run past the next occurrence.
        var period = cron.GetNextOccurrence(occurrence, zone) is { } following ? following - occurrence : options.JitterWindow;
        return ScheduleSmoothing.DueAt(scheduleId, occurrence, period < options.JitterWindow ? period : options.JitterWindow);
    }
}
