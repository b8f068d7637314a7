using FluentValidation;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using Integrations.Domain.EventTypes;
using MediatR;

namespace Integrations.Application.Events.Queries.ListEvents;

/// <summary>The tenant's events, newest first, keyset-paginated.</summary>
public sealed record ListEventsQuery(Guid TenantId, int Limit = ListEventsQuery.DefaultLimit, string? Cursor = null, string? EventType = null)
    : IQuery<CursorPage<EventDto>>
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
}

public sealed class ListEventsQueryValidator : AbstractValidator<ListEventsQuery>
{
    public ListEventsQueryValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, ListEventsQuery.MaxLimit).WithErrorCode("out_of_range");
        RuleFor(q => q.EventType).Must(EventTypeCatalog.IsKnown).When(q => q.EventType is not null)
            .WithErrorCode("unknown_event_type").WithMessage(q => $"Unknown event type '{q.EventType}'.");
    }
}

public sealed class ListEventsQueryHandler(IEventReadModel events) : IRequestHandler<ListEventsQuery, CursorPage<EventDto>>
{
    public Task<CursorPage<EventDto>> Handle(ListEventsQuery request, CancellationToken cancellationToken) =>
        events.ListAsync(new EventListQuery(request.TenantId, request.Limit, Cursor.Decode(request.Cursor), request.EventType), cancellationToken);
}
