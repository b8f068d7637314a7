using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Schedules.Commands.PauseSchedule;

/// <summary>No run starts until it is resumed (a run in progress finishes); pausing a paused schedule changes nothing.</summary>
public sealed record PauseScheduleCommand(Guid TenantId, Guid ScheduleId) : ICommand<ScheduleDto>;

public sealed class PauseScheduleCommandHandler(ScheduleAggregate schedules, IScheduleReadModel readModel, IClock clock)
    : IRequestHandler<PauseScheduleCommand, ScheduleDto>
{
    public async Task<ScheduleDto> Handle(PauseScheduleCommand request, CancellationToken cancellationToken)
    {
        await schedules.HandleAsync(request.TenantId, request.ScheduleId, _ => new Domain.Scheduling.PauseSchedule(clock.UtcNow), cancellationToken);
        return (await readModel.FindAsync(request.TenantId, request.ScheduleId, cancellationToken))!;
    }
}
