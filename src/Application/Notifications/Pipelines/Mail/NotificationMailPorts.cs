namespace Integrations.Application.Notifications.Pipelines.Mail;

/// <summary>A queued mail, as claimed for sending.</summary>
/// <param name="Attempts">Tries made before this one.</param>
public sealed record QueuedMail(
    Guid Id, Guid TenantId, Guid NoticeId, string Notice, string Kind, Guid SubjectId, string TenantName, string Recipient,
    string Summary, string? Detail, DateTimeOffset OpenedAt, DateTimeOffset OccurredAt, int Attempts, DateTimeOffset CreatedAt);

public static class MailStatuses
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";
}

/// <summary>What became of a claimed mail.</summary>
/// <param name="Attempted">Whether this counts as a try (false when the mail server was known to be down and nothing was tried).</param>
/// <param name="NextAttemptAt">When a pending mail is due again.</param>
public sealed record MailRecord(Guid Id, string Status, bool Attempted, DateTimeOffset NextAttemptAt, string? Error);

/// <summary>
/// The mail queue's sending side (the notifications pipeline's port): claims due mails, so that several
/// Workers processes never send the same one at once, and records what became of them.
/// </summary>
public interface INotificationMailOutbox
{
    /// <summary>
    /// Up to <paramref name="max"/> pending mails that are due, oldest first, each held for
    /// <paramref name="lease"/>: a process that dies while sending leaves them due again after it.
    /// </summary>
    Task<IReadOnlyList<QueuedMail>> ClaimDueAsync(int max, TimeSpan lease, CancellationToken ct);

    Task RecordAsync(IReadOnlyList<MailRecord> records, CancellationToken ct);
}

/// <summary>A mail ready for the wire.</summary>
/// <param name="MessageKey">Stable for the queued mail across retries: the transport makes the Message-ID of it, so a mail sent twice (a crash after sending) can be recognised.</param>
public sealed record OutgoingMail(Guid Id, string To, string Subject, string Text, string Html, string MessageKey, Guid NoticeId);

public enum MailOutcome
{
    Sent,

    /// <summary>Worth trying again: the server could not be reached, or answered 4xx.</summary>
    TemporaryFailure,

    /// <summary>The server refused it for good (5xx, e.g. an unknown recipient).</summary>
    PermanentFailure,

    /// <summary>Not tried: the mail server is known to be down for now (<see cref="MailResult.NotBefore"/>).</summary>
    NotAttempted,
}

/// <param name="Error">What went wrong, for the queue's last_error and the log; never a credential.</param>
public sealed record MailResult(Guid Id, MailOutcome Outcome, string? Error = null, DateTimeOffset? NotBefore = null);

/// <summary>Sends mail (SMTP in Infrastructure), one result per mail; it does not throw for a mail that could not be sent.</summary>
public interface IMailSender
{
    Task<IReadOnlyList<MailResult>> SendAsync(IReadOnlyList<OutgoingMail> mails, CancellationToken ct);
}
