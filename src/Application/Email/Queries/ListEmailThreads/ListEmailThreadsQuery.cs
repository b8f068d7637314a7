using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using MediatR;

namespace Integrations.Application.Email.Queries.ListEmailThreads;

/// <summary>The tenant's shared inbox: its threads, the most recent message first.</summary>
public sealed record ListEmailThreadsQuery(Guid TenantId, ListQuery List) : IQuery<CursorPage<EmailThreadDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "e-mail threads",
        SortableFields = [new("last_message_at", ListFieldType.Timestamp)],
        SortOrders = [["last_message_at"]],
        DefaultSort = [new("last_message_at", SortDirection.Desc)],
        Filters = [FilterParameter.CreatedAfter("last_message_at"), FilterParameter.CreatedBefore("last_message_at")],
    };
}

public sealed class ListEmailThreadsQueryHandler(ITenantReadModel tenants, IEmailThreads threads, EmailOptions options)
    : IRequestHandler<ListEmailThreadsQuery, CursorPage<EmailThreadDto>>
{
    public async Task<CursorPage<EmailThreadDto>> Handle(ListEmailThreadsQuery request, CancellationToken ct)
    {
        _ = await tenants.FindAsync(request.TenantId, ct) ?? throw new NotFoundException("tenant_not_found", "No such tenant.");
        return await threads.ListAsync(request.TenantId, request.List, options.InboundDomain ?? "", ct);
    }
}
