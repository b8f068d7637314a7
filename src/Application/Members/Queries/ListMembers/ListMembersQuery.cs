using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using Integrations.Application.OAuth;
using MediatR;

namespace Integrations.Application.Members.Queries.ListMembers;

/// <summary>Invited and active members of the organisation, most recently invited first, keyset-paginated.</summary>
public sealed record ListMembersQuery(Guid TenantId, ListQuery List) : IQuery<CursorPage<MemberDto>>
{
    public const string EmailFilter = "email";

    public static readonly ListSpec Spec = new()
    {
        Resource = "members",
        SortableFields = [new("invited_at", ListFieldType.Timestamp)],
        SortOrders = [["invited_at"]],
        DefaultSort = [new("invited_at", SortDirection.Desc)],
        Filters =
        [
            FilterParameter.OneOf("status", ["invited", "active"], "Only invited or only active members.", "invalid_status"),
            FilterParameter.OneOf("role", MemberRules.Roles, "Only admins or only members.", "invalid_role"),
            // Find a user by e-mail (the automation tools' search): addresses compare case-insensitively, see the handler.
            new FilterParameter(EmailFilter, EmailFilter, FilterOperator.Equal, ListFieldType.Text, "Only the member with this e-mail address (case-insensitive)."),
            FilterParameter.CreatedAfter("invited_at"),
            FilterParameter.CreatedBefore("invited_at"),
        ],
    };
}

public sealed class ListMembersQueryHandler(ITenantReadModel tenants, IMemberReadModel members) : IRequestHandler<ListMembersQuery, CursorPage<MemberDto>>
{
    public async Task<CursorPage<MemberDto>> Handle(ListMembersQuery request, CancellationToken cancellationToken)
    {
        _ = await tenants.FindAsync(request.TenantId, cancellationToken) ?? throw new Common.Exceptions.NotFoundException("tenant_not_found", "No such tenant.");
        // Stored addresses keep their case; the read model compares lower(email), which the unique index of members serves.
        var list = request.List with
        {
            Filters = request.List.Filters.Select(f => f.Field == ListMembersQuery.EmailFilter ? f with { Value = ((string)f.Value).ToLowerInvariant() } : f).ToList(),
        };
        return await members.ListAsync(request.TenantId, list, cancellationToken);
    }
}
