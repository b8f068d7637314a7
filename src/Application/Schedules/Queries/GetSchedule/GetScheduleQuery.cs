using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Schedules.Queries.GetSchedule;

public sealed record GetScheduleQuery(Guid TenantId, Guid ScheduleId) : IQuery<ScheduleDto>;

public sealed class GetScheduleQueryHandler(IScheduleReadModel readModel) : IRequestHandler<GetScheduleQuery, ScheduleDto>
{
    public async Task<ScheduleDto> Handle(GetScheduleQuery request, CancellationToken cancellationToken) =>
        await readModel.FindAsync(request.TenantId, request.ScheduleId, cancellationToken) ?? throw ScheduleAggregate.ScheduleNotFound();
}
