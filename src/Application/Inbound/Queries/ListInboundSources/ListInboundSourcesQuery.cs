using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using MediatR;

namespace Integrations.Application.Inbound.Queries.ListInboundSources;

/// <summary>The tenant's sources, newest first, keyset-paginated; never a secret.</summary>
public sealed record ListInboundSourcesQuery(Guid TenantId, ListQuery List) : IQuery<CursorPage<InboundSourceDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "inbound sources",
        SortableFields = [new("created_at", ListFieldType.Timestamp)],
        SortOrders = [["created_at"]],
        DefaultSort = [new("created_at", SortDirection.Desc)],
        Filters = [FilterParameter.CreatedAfter("created_at"), FilterParameter.CreatedBefore("created_at")],
    };
}

public sealed class ListInboundSourcesQueryHandler(ITenantReadModel tenants, IInboundSources sources)
    : IRequestHandler<ListInboundSourcesQuery, CursorPage<InboundSourceDto>>
{
    public async Task<CursorPage<InboundSourceDto>> Handle(ListInboundSourcesQuery request, CancellationToken ct)
    {
        _ = await tenants.FindAsync(request.TenantId, ct) ?? throw new NotFoundException("tenant_not_found", "No such tenant.");
        return await sources.ListAsync(request.TenantId, request.List, ct);
    }
}
