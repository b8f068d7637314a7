using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;

namespace Integrations.Application.Notifications;

/// <summary>
/// One notice of an incident, as the notifications API shows it: <see cref="Notice"/> "opened" when
/// the persistent failure started, "resolved" when it cleared.
/// </summary>
/// <param name="Kind">What failed, e.g. webhook_endpoint.disabled (Domain's IncidentKinds).</param>
/// <param name="SubjectId">The connection or webhook endpoint that failed.</param>
/// <param name="Occurrences">How often the failure was reported while the incident was open (1 at first; an "opened" notice counts on).</param>
/// <param name="ResolvedAt">When the incident cleared; null while it is open.</param>
/// <param name="Emails">The e-mails of this notice to the tenant's admins, by outcome.</param>
public sealed record NotificationDto(
    Guid Id,
    string Kind,
    string Notice,
    Guid IncidentId,
    Guid SubjectId,
    string Summary,
    string? Detail,
    DateTimeOffset OpenedAt,
    DateTimeOffset CreatedAt,
    int Occurrences,
    DateTimeOffset? ResolvedAt,
    bool Read,
    DateTimeOffset? ReadAt,
    NotificationEmailsDto Emails);

/// <param name="Pending">Not sent yet: waiting for their first try or a retry.</param>
/// <param name="Failed">Given up on: the mail server refused them, or they could not be sent for Mail:GiveUpAfter.</param>
public sealed record NotificationEmailsDto(int Sent, int Pending, int Failed);

/// <summary>The in-app notices of a tenant (the <c>notifications</c> read model and the mail queue's outcomes).</summary>
public interface INotificationReadModel
{
    Task<NotificationDto?> FindAsync(Guid tenantId, Guid notificationId, CancellationToken ct);

    Task<CursorPage<NotificationDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct);
}
