using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using Integrations.Domain.EventTypes;
using MediatR;

namespace Integrations.Application.Events.Queries.ListEvents;

/// <summary>The tenant's events, newest first unless sorted otherwise, keyset-paginated.</summary>
public sealed record ListEventsQuery(Guid TenantId, ListQuery List) : IQuery<CursorPage<EventDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "events",
        SortableFields = [new("timestamp", ListFieldType.Timestamp), new("event_type", ListFieldType.Text)],
        SortOrders = [["timestamp"], ["event_type", "timestamp"]],
        DefaultSort = [new("timestamp", SortDirection.Desc)],
        Filters =
        [
            FilterParameter.OneOf("event_type", EventTypeCatalog.All.Select(t => t.Name).ToList(), "Only events of this type (see GET /api/v1/event-types).", "unknown_event_type"),
            FilterParameter.OneOf("status", ["accepted", "dispatched"], "Only events in this dispatch state."),
            FilterParameter.CreatedAfter("timestamp"),
            FilterParameter.CreatedBefore("timestamp"),
        ],
    };
}

public sealed class ListEventsQueryHandler(IEventReadModel events) : IRequestHandler<ListEventsQuery, CursorPage<EventDto>>
{
    public Task<CursorPage<EventDto>> Handle(ListEventsQuery request, CancellationToken cancellationToken) =>
        events.ListAsync(request.TenantId, request.List, cancellationToken);
}
