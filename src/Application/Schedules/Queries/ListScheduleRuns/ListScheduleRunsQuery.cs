using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Common.Models;
using Integrations.Domain.Scheduling;
using MediatR;

namespace Integrations.Application.Schedules.Queries.ListScheduleRuns;

/// <summary>A schedule's runs, newest first by default, keyset-paginated (the list conventions).</summary>
public sealed record ListScheduleRunsQuery(Guid TenantId, Guid ScheduleId, ListQuery List) : IQuery<CursorPage<ScheduleRunDto>>
{
    public static readonly ListSpec Spec = new()
    {
        Resource = "schedule_runs",
        SortableFields = [new("started_at", ListFieldType.Timestamp)],
        SortOrders = [["started_at"]],
        DefaultSort = [new("started_at", SortDirection.Desc)],
        Filters =
        [
            FilterParameter.OneOf("outcome", ScheduleRunOutcomes.All, "Only the runs with this outcome.", "invalid_outcome"),
            FilterParameter.CreatedAfter("started_at"),
            FilterParameter.CreatedBefore("started_at"),
        ],
    };
}

public sealed class ListScheduleRunsQueryHandler(ScheduleAggregate schedules, IScheduleReadModel readModel)
    : IRequestHandler<ListScheduleRunsQuery, CursorPage<ScheduleRunDto>>
{
    public async Task<CursorPage<ScheduleRunDto>> Handle(ListScheduleRunsQuery request, CancellationToken cancellationToken)
    {
        await schedules.LoadAsync(request.TenantId, request.ScheduleId, cancellationToken);
        return await readModel.ListRunsAsync(request.TenantId, request.ScheduleId, request.List, cancellationToken);
    }
}
