using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using Integrations.Application.Inbound.Commands.DeleteInboundSource;
using MediatR;

namespace Integrations.Application.Inbound.Queries.ListInboundRequests;

/// <summary>A source's inbound log, newest first: every request it received, verified or why not, and what became of it.</summary>
public sealed record ListInboundRequestsQuery(Guid TenantId, Guid SourceId, ListQuery List) : IQuery<CursorPage<InboundRequestDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "inbound requests",
        SortableFields = [new("received_at", ListFieldType.Timestamp)],
        SortOrders = [["received_at"]],
        DefaultSort = [new("received_at", SortDirection.Desc)],
        Filters =
        [
            FilterParameter.OneOf("status", InboundStatuses.All, "Only requests with this outcome (rejected: failed verification).", "invalid_status"),
            FilterParameter.CreatedAfter("received_at"),
            FilterParameter.CreatedBefore("received_at"),
        ],
    };
}

public sealed class ListInboundRequestsQueryHandler(IInboundSources sources, IInboundRequests requests)
    : IRequestHandler<ListInboundRequestsQuery, CursorPage<InboundRequestDto>>
{
    public async Task<CursorPage<InboundRequestDto>> Handle(ListInboundRequestsQuery request, CancellationToken ct)
    {
        _ = await sources.FindAsync(request.TenantId, request.SourceId, ct) ?? throw DeleteInboundSourceCommandHandler.NotFound();
        return await requests.ListAsync(request.TenantId, request.SourceId, request.List, ct);
    }
}
