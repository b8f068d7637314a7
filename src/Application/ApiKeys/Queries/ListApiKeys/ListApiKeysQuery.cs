using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using MediatR;

namespace Integrations.Application.ApiKeys.Queries.ListApiKeys;

/// <summary>A tenant's keys, newest first, revoked ones included (with revoked_at) so rotations stay visible.</summary>
public sealed record ListApiKeysQuery(Guid TenantId, ListQuery List) : IQuery<CursorPage<ApiKeyDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "api_keys",
        SortableFields = [new("created_at", ListFieldType.Timestamp)],
        SortOrders = [["created_at"]],
        DefaultSort = [new("created_at", SortDirection.Desc)],
        Filters =
        [
            FilterParameter.OneOf("status", [ApiKeyStatuses.Active, ApiKeyStatuses.Revoked], "Only active or only revoked keys."),
            FilterParameter.CreatedAfter("created_at"),
            FilterParameter.CreatedBefore("created_at"),
        ],
    };
}

public sealed class ListApiKeysQueryHandler(ITenantReadModel tenants, IApiKeyReadModel keys) : IRequestHandler<ListApiKeysQuery, CursorPage<ApiKeyDto>>
{
    public async Task<CursorPage<ApiKeyDto>> Handle(ListApiKeysQuery request, CancellationToken cancellationToken)
    {
        _ = await tenants.FindAsync(request.TenantId, cancellationToken) ?? throw new NotFoundException("tenant_not_found", "No such tenant.");
        return await keys.ListAsync(request.TenantId, request.List, cancellationToken);
    }
}
