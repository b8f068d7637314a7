using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;

namespace Integrations.Application.Schedules;

/// <summary>The schedules projection (table <c>schedules</c>) and the runs (table <c>schedule_runs</c>).</summary>
public interface IScheduleReadModel
{
    /// <summary>The tenant's schedule; null if there is none or it is another tenant's.</summary>
    Task<ScheduleDto?> FindAsync(Guid tenantId, Guid scheduleId, CancellationToken ct);

    Task<CursorPage<ScheduleDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct);

    Task<CursorPage<ScheduleRunDto>> ListRunsAsync(Guid tenantId, Guid scheduleId, ListQuery query, CancellationToken ct);
}
