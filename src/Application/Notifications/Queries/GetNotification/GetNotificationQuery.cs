using Integrations.Application.Common.Messaging;
using Integrations.Application.Notifications.Commands.MarkNotificationRead;
using MediatR;

namespace Integrations.Application.Notifications.Queries.GetNotification;

public sealed record GetNotificationQuery(Guid TenantId, Guid NotificationId) : IQuery<NotificationDto>;

public sealed class GetNotificationQueryHandler(INotificationReadModel notifications) : IRequestHandler<GetNotificationQuery, NotificationDto>
{
    public async Task<NotificationDto> Handle(GetNotificationQuery request, CancellationToken cancellationToken) =>
        await notifications.FindAsync(request.TenantId, request.NotificationId, cancellationToken) ?? throw MarkNotificationReadCommandHandler.NotFound();
}
