namespace Integrations.Application.Notifications;

/// <summary>A notice to mail: what the mail says, fixed when the notice is made.</summary>
/// <param name="OpenedAt">When the incident started ("since when").</param>
/// <param name="OccurredAt">When this notice was made: the incident's start, or when it cleared.</param>
public sealed record NoticeToMail(
    Guid TenantId, Guid NoticeId, string Notice, string Kind, Guid SubjectId, string Summary, string? Detail,
    DateTimeOffset OpenedAt, DateTimeOffset OccurredAt);

/// <summary>
/// The mail queue's writing side, owned by the notification use cases: a notice's mails are queued in
/// the caller's transaction (the unit of work of the incident's event), so they commit or roll back
/// with it, and the notifications pipeline sends them later.
/// </summary>
public interface INotificationMailQueue
{
    /// <summary>
    /// Queues one mail per active admin of the notice's tenant (members with the admin role who
    /// joined); none for a tenant without admins. Queuing the same notice again adds nothing.
    /// Returns how many mails were queued.
    /// </summary>
    Task<int> EnqueueForAdminsAsync(NoticeToMail notice, CancellationToken ct);
}
