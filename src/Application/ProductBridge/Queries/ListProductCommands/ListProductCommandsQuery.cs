using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using Integrations.Domain.ProductBridge;
using MediatR;

namespace Integrations.Application.ProductBridge.Queries.ListProductCommands;

/// <summary>The tenant's command log, newest first unless sorted otherwise, keyset-paginated.</summary>
public sealed record ListProductCommandsQuery(Guid TenantId, ListQuery List) : IQuery<CursorPage<ProductCommandDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "product_commands",
        SortableFields = [new("issued_at", ListFieldType.Timestamp)],
        SortOrders = [["issued_at"]],
        DefaultSort = [new("issued_at", SortDirection.Desc)],
        Filters =
        [
            FilterParameter.OneOf("status", ProductCommandStatuses.All, "Only commands in this status: published, delivered (to the callback) or callback_failed.", "invalid_status"),
            new("command", "command", FilterOperator.Equal, ListFieldType.Text, "Only commands of this name, e.g. entity.update."),
            new("entity_type", "entity_type", FilterOperator.Equal, ListFieldType.Text, "Only commands whose target is of this type."),
            new("entity_id", "entity_id", FilterOperator.Equal, ListFieldType.Text, "Only commands whose target is this record (with entity_type: one record's commands)."),
            FilterParameter.CreatedAfter("issued_at"),
            FilterParameter.CreatedBefore("issued_at"),
        ],
    };
}

public sealed class ListProductCommandsQueryHandler(IProductCommandReadModel commands) : IRequestHandler<ListProductCommandsQuery, CursorPage<ProductCommandDto>>
{
    public Task<CursorPage<ProductCommandDto>> Handle(ListProductCommandsQuery request, CancellationToken cancellationToken) =>
        commands.ListAsync(request.TenantId, request.List, cancellationToken);
}
