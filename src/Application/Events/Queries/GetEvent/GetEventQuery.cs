using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Events.Queries.GetEvent;

public sealed record GetEventQuery(Guid TenantId, Guid EventId) : IQuery<EventDto>;

public sealed class GetEventQueryHandler(IEventReadModel events) : IRequestHandler<GetEventQuery, EventDto>
{
    public async Task<EventDto> Handle(GetEventQuery request, CancellationToken cancellationToken) =>
        await events.FindAsync(request.TenantId, request.EventId, cancellationToken)
        ?? throw new NotFoundException("event_not_found", "No such event.");
}
