using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using MediatR;

namespace Integrations.Application.Email.Queries.ListEmailAddresses;

/// <summary>The tenant's inbound addresses (revoked ones too, with revoked_at), newest first.</summary>
public sealed record ListEmailAddressesQuery(Guid TenantId, ListQuery List) : IQuery<CursorPage<EmailAddressDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "e-mail addresses",
        SortableFields = [new("created_at", ListFieldType.Timestamp)],
        SortOrders = [["created_at"]],
        DefaultSort = [new("created_at", SortDirection.Desc)],
        Filters = [FilterParameter.CreatedAfter("created_at"), FilterParameter.CreatedBefore("created_at")],
    };
}

public sealed class ListEmailAddressesQueryHandler(ITenantReadModel tenants, IEmailAddresses addresses) : IRequestHandler<ListEmailAddressesQuery, CursorPage<EmailAddressDto>>
{
    public async Task<CursorPage<EmailAddressDto>> Handle(ListEmailAddressesQuery request, CancellationToken ct)
    {
        _ = await tenants.FindAsync(request.TenantId, ct) ?? throw new NotFoundException("tenant_not_found", "No such tenant.");
        return await addresses.ListAsync(request.TenantId, request.List, ct);
    }
}
