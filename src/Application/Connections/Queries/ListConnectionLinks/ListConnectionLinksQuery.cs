using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using MediatR;

namespace Integrations.Application.Connections.Queries.ListConnectionLinks;

/// <param name="EntityType">Our record's type (task, ticket …); <paramref name="EntityId"/> its id in the product.</param>
/// <param name="ExternalType">The provider's record type; <paramref name="ExternalId"/> its id there.</param>
public sealed record ConnectionLinkDto(Guid Id, string EntityType, string EntityId, string ExternalType, string ExternalId, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The records of ours linked to records at the provider through the connection (two-way sync), newest first.</summary>
public sealed record ListConnectionLinksQuery(Guid TenantId, Guid ConnectionId, ListQuery List) : IQuery<CursorPage<ConnectionLinkDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "connection_links",
        SortableFields = [new("created_at", ListFieldType.Timestamp)],
        SortOrders = [["created_at"]],
        DefaultSort = [new("created_at", SortDirection.Desc)],
        Filters =
        [
            new("entity_type", "entity_type", FilterOperator.Equal, ListFieldType.Text, "Only links of our records of this type."),
            new("entity_id", "entity_id", FilterOperator.Equal, ListFieldType.Text, "Only the link of our record with this id."),
            new("external_type", "external_type", FilterOperator.Equal, ListFieldType.Text, "Only links to provider records of this type."),
            new("external_id", "external_id", FilterOperator.Equal, ListFieldType.Text, "Only the link to the provider record with this id."),
            FilterParameter.CreatedAfter("created_at"),
            FilterParameter.CreatedBefore("created_at"),
        ],
    };
}

public sealed class ListConnectionLinksQueryHandler(IConnectionReadModel connections, IConnectionLinks links)
    : IRequestHandler<ListConnectionLinksQuery, CursorPage<ConnectionLinkDto>>
{
    public async Task<CursorPage<ConnectionLinkDto>> Handle(ListConnectionLinksQuery request, CancellationToken cancellationToken)
    {
        _ = await connections.FindAsync(request.TenantId, request.ConnectionId, cancellationToken) ?? throw ConnectionAggregate.NotFound();
        var page = await links.ListAsync(request.TenantId, request.ConnectionId, request.List, cancellationToken);
        return new CursorPage<ConnectionLinkDto>(
            page.Data.Select(l => new ConnectionLinkDto(l.Id, l.EntityType, l.EntityId, l.ExternalType, l.ExternalId, l.CreatedAt, l.UpdatedAt)).ToList(),
            page.NextCursor, page.PreviousCursor, page.HasMore);
    }
}
