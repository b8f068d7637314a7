using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using Integrations.Domain.Tenants;
using MediatR;

namespace Integrations.Application.Tenants.Queries.ListTenants;

/// <summary>Every tenant, for the platform administrator; newest first unless sorted otherwise.</summary>
public sealed record ListTenantsQuery(ListQuery List) : IQuery<CursorPage<TenantDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "tenants",
        SortableFields = [new("created_at", ListFieldType.Timestamp), new("name", ListFieldType.Text)],
        SortOrders = [["created_at"], ["name"]],
        DefaultSort = [new("created_at", SortDirection.Desc)],
        Filters =
        [
            FilterParameter.OneOf("plan", Plans.All, "Only tenants on this plan.", "invalid_plan"),
            FilterParameter.CreatedAfter("created_at"),
            FilterParameter.CreatedBefore("created_at"),
        ],
    };
}

public sealed class ListTenantsQueryHandler(ITenantReadModel tenants) : IRequestHandler<ListTenantsQuery, CursorPage<TenantDto>>
{
    public Task<CursorPage<TenantDto>> Handle(ListTenantsQuery request, CancellationToken cancellationToken) =>
        tenants.ListAsync(request.List, cancellationToken);
}
