using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using Integrations.Domain.Notifications;
using MediatR;

namespace Integrations.Application.Notifications.Queries.ListNotifications;

/// <summary>The tenant's notices, newest first, keyset-paginated; <c>unread=true</c> for what nobody read yet.</summary>
public sealed record ListNotificationsQuery(Guid TenantId, ListQuery List) : IQuery<CursorPage<NotificationDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "notifications",
        SortableFields = [new("created_at", ListFieldType.Timestamp)],
        SortOrders = [["created_at"]],
        DefaultSort = [new("created_at", SortDirection.Desc)],
        Filters =
        [
            FilterParameter.OneOf("unread", ["true", "false"], "true: only notices nobody has read yet; false: only read ones.", "invalid_unread"),
            FilterParameter.OneOf("kind", IncidentKinds.All, "Only notices of this kind of incident.", "invalid_kind"),
            FilterParameter.OneOf("notice", [IncidentNotices.Opened, IncidentNotices.Resolved], "Only notices that an incident opened, or only those that say it was resolved.", "invalid_notice"),
            FilterParameter.CreatedAfter("created_at"),
            FilterParameter.CreatedBefore("created_at"),
        ],
    };
}

public sealed class ListNotificationsQueryHandler(ITenantReadModel tenants, INotificationReadModel notifications)
    : IRequestHandler<ListNotificationsQuery, CursorPage<NotificationDto>>
{
    public async Task<CursorPage<NotificationDto>> Handle(ListNotificationsQuery request, CancellationToken cancellationToken)
    {
        _ = await tenants.FindAsync(request.TenantId, cancellationToken) ?? throw new NotFoundException("tenant_not_found", "No such tenant.");
        return await notifications.ListAsync(request.TenantId, request.List, cancellationToken);
    }
}
