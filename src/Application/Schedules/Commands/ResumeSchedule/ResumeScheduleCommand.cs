using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Schedules.Commands.CreateSchedule;
using MediatR;

namespace Integrations.Application.Schedules.Commands.ResumeSchedule;

/// <summary>Runs again from the next occurrence after now; occurrences missed while paused are not caught up.</summary>
public sealed record ResumeScheduleCommand(Guid TenantId, Guid ScheduleId) : ICommand<ScheduleDto>;

public sealed class ResumeScheduleCommandHandler(ScheduleAggregate schedules, IScheduleReadModel readModel, ScheduleTimes times, IClock clock)
    : IRequestHandler<ResumeScheduleCommand, ScheduleDto>
{
    public async Task<ScheduleDto> Handle(ResumeScheduleCommand request, CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        await schedules.HandleAsync(request.TenantId, request.ScheduleId,
            state => new Domain.Scheduling.ResumeSchedule(times.NextDue(state.ScheduleId, state.Timing, now) ?? throw CreateScheduleCommandHandler.NeverOccurs(), now),
            cancellationToken);
        return (await readModel.FindAsync(request.TenantId, request.ScheduleId, cancellationToken))!;
    }
}
