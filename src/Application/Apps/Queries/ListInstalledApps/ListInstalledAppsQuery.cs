using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using MediatR;

namespace Integrations.Application.Apps.Queries.ListInstalledApps;

/// <summary>Apps that members of the organisation authorized and that still hold an active grant, most recently installed first.</summary>
public sealed record ListInstalledAppsQuery(Guid TenantId, ListQuery List) : IQuery<CursorPage<InstalledAppDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "installed_apps",
        SortableFields = [new("installed_at", ListFieldType.Timestamp), new("name", ListFieldType.Text)],
        SortOrders = [["installed_at"], ["name"]],
        DefaultSort = [new("installed_at", SortDirection.Desc)],
        Filters = [FilterParameter.CreatedAfter("installed_at"), FilterParameter.CreatedBefore("installed_at")],
    };
}

public sealed class ListInstalledAppsQueryHandler(IAppCatalogue catalogue) : IRequestHandler<ListInstalledAppsQuery, CursorPage<InstalledAppDto>>
{
    public Task<CursorPage<InstalledAppDto>> Handle(ListInstalledAppsQuery request, CancellationToken cancellationToken) =>
        catalogue.ListInstalledAsync(request.TenantId, request.List, cancellationToken);
}
