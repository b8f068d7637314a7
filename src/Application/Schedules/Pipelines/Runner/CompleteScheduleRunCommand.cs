using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Events;
using MediatR;

namespace Integrations.Application.Schedules.Pipelines.Runner;

/// <summary>
/// A run succeeded: its events are recorded (event store, outbox, hence Kafka, webhooks and routes
/// like any other event of the tenant), the run ends succeeded and the schedule takes its checkpoint,
/// all in one transaction, so an item is emitted exactly once per checkpoint. A run that was declared
/// lost meanwhile records nothing (its retry will).
/// </summary>
public sealed record CompleteScheduleRunCommand(string Worker, ClaimedRun Run, JobResult Result) : ICommand<Unit>;

public sealed class CompleteScheduleRunCommandHandler(EventRecorder events, IScheduleRunLedger ledger) : IRequestHandler<CompleteScheduleRunCommand, Unit>
{
    public async Task<Unit> Handle(CompleteScheduleRunCommand request, CancellationToken cancellationToken)
    {
        var (run, result) = (request.Run, request.Result);
        if (!await ledger.CompleteAsync(request.Worker, run, result.RecordsRead, result.Events.Count, result.Checkpoint, cancellationToken))
            throw new ConflictException("schedule_run_lost", $"Run {run.RunId} was declared lost before it ended; its events are not recorded.");
        if (result.Events.Count > 0)
            await events.RecordBatchAsync(run.Schedule.TenantId, result.Events.Select(e => (e.EventType, e.Data)).ToList(), cancellationToken);
        return Unit.Value;
    }
}
