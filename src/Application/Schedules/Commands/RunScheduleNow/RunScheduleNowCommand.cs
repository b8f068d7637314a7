using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Schedules.Commands.RunScheduleNow;

/// <summary>
/// One run as soon as the runner has room (without smoothing), also while paused; the regular
/// occurrences stay. If a run is in progress, the requested one starts after it.
/// </summary>
public sealed record RunScheduleNowCommand(Guid TenantId, Guid ScheduleId) : ICommand<ScheduleDto>;

public sealed class RunScheduleNowCommandHandler(ScheduleAggregate schedules, IScheduleReadModel readModel, IClock clock)
    : IRequestHandler<RunScheduleNowCommand, ScheduleDto>
{
    public async Task<ScheduleDto> Handle(RunScheduleNowCommand request, CancellationToken cancellationToken)
    {
        await schedules.HandleAsync(request.TenantId, request.ScheduleId, _ => new Domain.Scheduling.RunScheduleNow(clock.UtcNow), cancellationToken);
        return (await readModel.FindAsync(request.TenantId, request.ScheduleId, cancellationToken))!;
    }
}
