using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Notifications;
using MediatR;

namespace Integrations.Application.Notifications.Commands.MarkNotificationRead;

/// <summary>Marks one of the tenant's notices read, by whoever calls; reading a read notice changes nothing.</summary>
public sealed record MarkNotificationReadCommand(Guid TenantId, Guid NotificationId) : ICommand<NotificationDto>;

public sealed class MarkNotificationReadCommandHandler(INotificationReadModel notifications, AggregateStore aggregates, IRequestContext context, IClock clock)
    : IRequestHandler<MarkNotificationReadCommand, NotificationDto>
{
    public static NotFoundException NotFound() => new("notification_not_found", "No such notification.");

    public async Task<NotificationDto> Handle(MarkNotificationReadCommand request, CancellationToken cancellationToken)
    {
        // Another tenant's notice is not found: its id says nothing about whether it exists (ADR 0005).
        var notice = await notifications.FindAsync(request.TenantId, request.NotificationId, cancellationToken) ?? throw NotFound();
        if (notice.Read) return notice;
        await aggregates.HandleAsync(IncidentDecider.Decider, IncidentDecider.StreamId(request.TenantId, notice.Kind, notice.SubjectId),
            new MarkNoticeRead(notice.IncidentId, notice.Notice, context.Actor, clock.UtcNow), request.TenantId, cancellationToken);
        return await notifications.FindAsync(request.TenantId, request.NotificationId, cancellationToken) ?? throw NotFound();
    }
}
