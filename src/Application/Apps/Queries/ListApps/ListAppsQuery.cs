using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using MediatR;

namespace Integrations.Application.Apps.Queries.ListApps;

/// <summary>The apps an organisation registered as a developer, newest first, keyset-paginated.</summary>
public sealed record ListAppsQuery(Guid OwnerTenantId, ListQuery List) : IQuery<CursorPage<AppDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "apps",
        SortableFields = [new("created_at", ListFieldType.Timestamp), new("name", ListFieldType.Text)],
        SortOrders = [["created_at"], ["name"]],
        DefaultSort = [new("created_at", SortDirection.Desc)],
        Filters =
        [
            FilterParameter.OneOf("review_status", ["none", "pending", "approved", "rejected"], "Only apps in this marketplace review state.", "invalid_review_status"),
            FilterParameter.OneOf("visibility", ["private", "public"], "Only private or only public apps.", "invalid_visibility"),
            FilterParameter.OneOf("client_type", ["public", "confidential"], "Only public or only confidential clients.", "invalid_client_type"),
            FilterParameter.CreatedAfter("created_at"),
            FilterParameter.CreatedBefore("created_at"),
        ],
    };
}

public sealed class ListAppsQueryHandler(IAppCatalogue catalogue) : IRequestHandler<ListAppsQuery, CursorPage<AppDto>>
{
    public Task<CursorPage<AppDto>> Handle(ListAppsQuery request, CancellationToken cancellationToken) =>
        catalogue.ListOwnedAsync(request.OwnerTenantId, request.List, cancellationToken);
}
