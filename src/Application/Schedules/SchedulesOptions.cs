namespace Integrations.Application.Schedules;

/// <summary>How schedules run (configuration section "Schedules"; docs/configuration.md).</summary>
public sealed class SchedulesOptions
{
    public const string Section = "Schedules";

    /// <summary>How often the runner looks for due schedules and lost runs.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a worker tells the database its runs are alive.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A running run whose last heartbeat is older than this belongs to a dead worker: it is marked lost and the schedule runs again.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Schedules due at the same cron occurrence are spread over this window (at most the cron's period), each by an offset fixed by its id.</summary>
    public TimeSpan JitterWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The maximum run time of a schedule that names none.</summary>
    public TimeSpan DefaultMaxRunTime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Runs at once across every Workers process.</summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>Runs of one provider's connections at once, across every Workers process.</summary>
    public int MaxConcurrentPerProvider { get; set; } = 16;

    /// <summary>Runs of one tenant at once.</summary>
    public int MaxConcurrentPerTenant { get; set; } = 4;

    /// <summary>Runs through one connection at once.</summary>
    public int MaxConcurrentPerConnection { get; set; } = 1;

    /// <summary>Most runs one Workers process holds at once.</summary>
    public int MaxConcurrencyPerProcess { get; set; } = 32;

    public void Validate()
    {
        if (PollInterval <= TimeSpan.Zero || HeartbeatInterval <= TimeSpan.Zero || JitterWindow < TimeSpan.Zero || DefaultMaxRunTime <= TimeSpan.Zero)
            throw new InvalidOperationException("Schedules: PollInterval, HeartbeatInterval and DefaultMaxRunTime must be positive, JitterWindow not negative.");
        if (LeaseDuration <= HeartbeatInterval * 2)
            throw new InvalidOperationException("Schedules:LeaseDuration must be more than twice Schedules:HeartbeatInterval (a late heartbeat is not a death).");
        if (MaxConcurrency < 1 || MaxConcurrentPerProvider < 1 || MaxConcurrentPerTenant < 1 || MaxConcurrentPerConnection < 1 || MaxConcurrencyPerProcess < 1)
            throw new InvalidOperationException("Schedules: every MaxConcurrency… setting must be at least 1.");
    }
}
