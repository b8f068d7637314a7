namespace Integrations.Application.Notifications.Pipelines.Mail;

/// <summary>The notifications pipeline's settings (Mail:*, docs/configuration.md); Infrastructure reads and checks them.</summary>
public sealed class NotificationMailOptions
{
    /// <summary>False while Mail:Host is not set: mails wait in the queue, nothing is sent.</summary>
    public bool Enabled { get; init; }

    /// <summary>Where links in mails point: the console's or the API's base URL (Mail:BaseUrl), without a trailing slash.</summary>
    public string BaseUrl { get; init; } = "http://127.0.0.1:5080";

    public int BatchSize { get; init; } = 50;

    /// <summary>How often the queue is looked at (Mail:PollInterval).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Waits after the 1st, 2nd, … failed try; the last repeats (Mail:RetrySchedule).</summary>
    public IReadOnlyList<TimeSpan> RetrySchedule { get; init; } =
        [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1)];

    /// <summary>A mail that could not be sent this long after it was queued is given up (Mail:GiveUpAfter).</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromDays(3);

    /// <summary>How long a claimed mail is held by the process sending it.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan RetryDelay(int failedTries) => RetrySchedule[Math.Clamp(failedTries - 1, 0, RetrySchedule.Count - 1)];
}
