using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using MediatR;

namespace Integrations.Application.Hooks.Queries.ListHooks;

/// <summary>The tenant's hooks, newest first unless sorted otherwise, keyset-paginated (the list conventions).</summary>
public sealed record ListHooksQuery(Guid TenantId, ListQuery List) : IQuery<CursorPage<HookDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "hooks",
        SortableFields = [new("created_at", ListFieldType.Timestamp)],
        SortOrders = [["created_at"]],
        DefaultSort = [new("created_at", SortDirection.Desc)],
        Filters =
        [
            FilterParameter.OneOf("status", WebhookEndpointStatuses.All, "Only enabled or only disabled hooks.", "invalid_status"),
            FilterParameter.CreatedAfter("created_at"),
            FilterParameter.CreatedBefore("created_at"),
        ],
    };
}

public sealed class ListHooksQueryHandler(IHookReadModel hooks) : IRequestHandler<ListHooksQuery, CursorPage<HookDto>>
{
    public Task<CursorPage<HookDto>> Handle(ListHooksQuery request, CancellationToken cancellationToken) =>
        hooks.ListAsync(request.TenantId, request.List, cancellationToken);
}
