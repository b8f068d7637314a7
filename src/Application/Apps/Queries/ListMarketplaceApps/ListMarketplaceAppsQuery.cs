using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using Integrations.Domain.Marketplace;
using MediatR;

namespace Integrations.Application.Apps.Queries.ListMarketplaceApps;

/// <summary>The public marketplace: approved public apps of every developer, newest first unless sorted by name.</summary>
public sealed record ListMarketplaceAppsQuery(ListQuery List) : IQuery<CursorPage<MarketplaceAppDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "marketplace_apps",
        SortableFields = [new("created_at", ListFieldType.Timestamp), new("name", ListFieldType.Text)],
        SortOrders = [["created_at"], ["name"]],
        DefaultSort = [new("created_at", SortDirection.Desc)],
        Filters =
        [
            FilterParameter.CreatedAfter("created_at"), FilterParameter.CreatedBefore("created_at"),
            FilterParameter.OneOf("category", AppCategories.All, "Only apps of this category.", "invalid_category"),
            FilterParameter.Search("search", "Only apps whose name or description contains this text (ignoring case), 1–100 characters."),
        ],
    };
}

public sealed class ListMarketplaceAppsQueryHandler(IAppCatalogue catalogue) : IRequestHandler<ListMarketplaceAppsQuery, CursorPage<MarketplaceAppDto>>
{
    public Task<CursorPage<MarketplaceAppDto>> Handle(ListMarketplaceAppsQuery request, CancellationToken cancellationToken) =>
        catalogue.ListMarketplaceAsync(request.List, cancellationToken);
}
