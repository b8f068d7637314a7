using Integrations.Application.Schedules.Pipelines.Runner;
using Integrations.Infrastructure.Persistence;

namespace Integrations.Infrastructure.Schedules;

/// <summary>A successful run's end in the unit of work's transaction (<see cref="IScheduleRunLedger"/>), beside the events it emits.</summary>
public sealed class ScheduleRunLedger(DbSession session) : IScheduleRunLedger
{
    public Task<bool> CompleteAsync(string worker, ClaimedRun run, int recordsRead, int recordsWritten, string? checkpoint, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            var ended = await Sql.ExecuteAsync(connection, transaction, """
                update schedule_runs set status = 'succeeded', finished_at = now(), records_read = @read, records_written = @written, checkpoint = @checkpoint
                where id = @id and status = 'running' and worker = @worker
                """, ct, ("id", run.RunId), ("worker", worker), ("read", recordsRead), ("written", recordsWritten), ("checkpoint", checkpoint));
            if (ended == 0) return false;
            await Sql.ExecuteAsync(connection, transaction, "update schedules set checkpoint = @checkpoint where id = @id", ct,
                ("id", run.Schedule.ScheduleId), ("checkpoint", checkpoint));
            return true;
        }, ct);
}
