using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Schedules.Commands.DeleteSchedule;

/// <summary>No run starts any more; a run in progress finishes. Deleting twice is a 404 the second time (the schedule is gone).</summary>
public sealed record DeleteScheduleCommand(Guid TenantId, Guid ScheduleId) : ICommand<Unit>;

public sealed class DeleteScheduleCommandHandler(ScheduleAggregate schedules, IClock clock) : IRequestHandler<DeleteScheduleCommand, Unit>
{
    public async Task<Unit> Handle(DeleteScheduleCommand request, CancellationToken cancellationToken)
    {
        await schedules.HandleAsync(request.TenantId, request.ScheduleId, _ => new Domain.Scheduling.DeleteSchedule(clock.UtcNow), cancellationToken);
        return Unit.Value;
    }
}
