using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using MediatR;

namespace Integrations.Application.Schedules.Queries.ListSchedules;

/// <summary>The tenant's schedules, newest first by default, keyset-paginated (the list conventions).</summary>
public sealed record ListSchedulesQuery(Guid TenantId, ListQuery List) : IQuery<CursorPage<ScheduleDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "schedules",
        SortableFields = [new("created_at", ListFieldType.Timestamp)],
        SortOrders = [["created_at"]],
        DefaultSort = [new("created_at", SortDirection.Desc)],
        Filters =
        [
            FilterParameter.OneOf("status", ["active", "paused"], "Only active or only paused schedules.", "invalid_status"),
            new FilterParameter("connection_id", "connection_id", FilterOperator.Equal, ListFieldType.Uuid, "Only the schedules of this connection."),
            FilterParameter.CreatedAfter("created_at"),
            FilterParameter.CreatedBefore("created_at"),
        ],
    };
}

public sealed class ListSchedulesQueryHandler(IScheduleReadModel readModel) : IRequestHandler<ListSchedulesQuery, CursorPage<ScheduleDto>>
{
    public Task<CursorPage<ScheduleDto>> Handle(ListSchedulesQuery request, CancellationToken cancellationToken) =>
        readModel.ListAsync(request.TenantId, request.List, cancellationToken);
}
