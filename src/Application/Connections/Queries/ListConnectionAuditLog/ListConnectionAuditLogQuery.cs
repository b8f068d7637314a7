using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using MediatR;

namespace Integrations.Application.Connections.Queries.ListConnectionAuditLog;

/// <summary>Everything that happened to a connection, oldest first by default; also for a deleted connection.</summary>
public sealed record ListConnectionAuditLogQuery(Guid TenantId, Guid ConnectionId, ListQuery List) : IQuery<CursorPage<ConnectionAuditEntryDto>>
{
    public static readonly IReadOnlyList<string> Actions =
    [
        "created", "authorization_requested", "connected", "reconnected", "authorization_failed", "token_refreshed", "token_refresh_failed",
        "health_check_failed", "health_restored", "disconnected", "deleted",
    ];

    public static readonly ListSpec Spec = new()
    {
        Resource = "connection_audit_log",
        SortableFields = [new("at", ListFieldType.Timestamp)],
        SortOrders = [["at"]],
        DefaultSort = [new("at", SortDirection.Asc)],
        Filters =
        [
            FilterParameter.OneOf("action", Actions, "Only entries of this action.", "invalid_action"),
            FilterParameter.CreatedAfter("at"),
            FilterParameter.CreatedBefore("at"),
        ],
    };
}

public sealed class ListConnectionAuditLogQueryHandler(IConnectionReadModel connections)
    : IRequestHandler<ListConnectionAuditLogQuery, CursorPage<ConnectionAuditEntryDto>>
{
    public async Task<CursorPage<ConnectionAuditEntryDto>> Handle(ListConnectionAuditLogQuery request, CancellationToken cancellationToken)
    {
        _ = await connections.FindAsync(request.TenantId, request.ConnectionId, cancellationToken, includeDeleted: true) ?? throw ConnectionAggregate.NotFound();
        return await connections.ListAuditLogAsync(request.TenantId, request.ConnectionId, request.List, cancellationToken);
    }
}
