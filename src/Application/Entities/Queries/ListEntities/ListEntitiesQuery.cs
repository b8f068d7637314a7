using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using Integrations.Domain.Entities;
using MediatR;

namespace Integrations.Application.Entities.Queries.ListEntities;

/// <summary>The tenant's records, most recently changed first unless sorted otherwise, usually of one entity_type.</summary>
public sealed record ListEntitiesQuery(Guid TenantId, ListQuery List) : IQuery<CursorPage<EntityDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "entities",
        SortableFields = [new("updated_at", ListFieldType.Timestamp)],
        SortOrders = [["updated_at"]],
        DefaultSort = [new("updated_at", SortDirection.Desc)],
        Filters =
        [
            new("entity_type", "entity_type", FilterOperator.Equal, ListFieldType.Text, "Only records of this type (\"untyped\" for events that named none)."),
            FilterParameter.OneOf("status", EntityStatuses.All, "Only active or only deleted records.", "invalid_status"),
            new("updated_after", "updated_at", FilterOperator.After, ListFieldType.Timestamp, "Only records whose latest event was accepted strictly after this RFC 3339 instant: what changed since."),
            new("updated_before", "updated_at", FilterOperator.Before, ListFieldType.Timestamp, "Only records whose latest event was accepted strictly before this RFC 3339 instant."),
            new("attributes", "attributes", FilterOperator.Includes, ListFieldType.JsonObject,
                "Only records whose attributes hold every member of this JSON object, e.g. {\"name\":\"Relaunch\"} (nested objects match by their members; " +
                "arrays by holding every listed item). 1 to 10 members, at most 1000 characters; percent-encode it."),
        ],
    };
}

public sealed class ListEntitiesQueryHandler(IEntityReadModel entities) : IRequestHandler<ListEntitiesQuery, CursorPage<EntityDto>>
{
    public Task<CursorPage<EntityDto>> Handle(ListEntitiesQuery request, CancellationToken cancellationToken) =>
        entities.ListAsync(request.TenantId, request.List, cancellationToken);
}
