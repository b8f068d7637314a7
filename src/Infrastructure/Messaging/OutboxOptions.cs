namespace Integrations.Infrastructure.Messaging;

/// <summary>The outbox relay and sweeper (section "Outbox").</summary>
public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>Messages the relay produces per round before awaiting their acknowledgements together (more only when one bundle row has more).</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Fallback poll when no NOTIFY arrives (the relay normally wakes on the committing transaction's NOTIFY).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a process that is not the relay leader tries to become it.</summary>
    public TimeSpan LeadershipPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Cap of the exponential backoff after failed publications of a row.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A published row whose consumer has not reported completion by then is published again (doubling per publication, at most hourly).</summary>
    public TimeSpan CompletionTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Topic → the consumer group that reports completion of its messages (the Workers host registers
    /// <c>integrations.events.v1</c> → <c>integrations.workers.events-dispatch</c>). The sweeper asks
    /// Kafka how far that group got, so a message merely waiting in its lag is not republished.
    /// Topics without an entry keep the plain time rule.
    /// </summary>
    public Dictionary<string, string> CompletingGroups { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Overdue rows the sweeper reads per statement. A sweep pages through all of them (up to 20
    /// pages, then it resumes there next time), so a long backlog waiting in one group's lag never
    /// hides a lost message behind it.
    /// </summary>
    public int SweepPageSize { get; set; } = 10_000;

    /// <summary>Completed rows are deleted after this long.</summary>
    public TimeSpan RetentionPeriod { get; set; } = TimeSpan.FromDays(7);
}
