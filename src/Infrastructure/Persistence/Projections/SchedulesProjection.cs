using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Scheduling;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Schedule streams into <c>schedules</c> (migration 0035), inline: a request reads its own write,
/// and the runner sees a new, paused or resumed schedule at its next claim. The runner's columns
/// (next_due_at, requested_run, checkpoint) are written here only by the events that move them.
/// </summary>
public sealed class SchedulesProjection : SqlProjection
{
    public override string Name => "schedules";

    public override IReadOnlyList<string> Tables { get; } = ["schedules"];

    public override IReadOnlySet<Type> Handles { get; } = new HashSet<Type>
    {
        typeof(ScheduleCreated), typeof(ScheduleUpdated), typeof(SchedulePaused), typeof(ScheduleResumed), typeof(ScheduleRunRequested), typeof(ScheduleDeleted),
    };

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events) => events.Select(Statement).OfType<SqlStatement>();

    private static SqlStatement? Statement(StoredEvent @event)
    {
        var version = @event.StreamVersion;
        return @event.Data switch
        {
            ScheduleCreated e => new SqlStatement("""
                insert into schedules (id, tenant_id, connection_id, provider, name, job_kind, job_config, cron, time_zone, interval_seconds, max_run_seconds,
                    status, next_due_at, created_at, updated_at, version)
                values (@id, @tenant_id, @connection_id, @provider, @name, @job_kind, @job_config, @cron, @time_zone, @interval_seconds, @max_run_seconds,
                    'active', @next_due_at, @at, @at, @version)
                on conflict (id) do nothing
                """).With("id", e.ScheduleId).With("tenant_id", e.TenantId).With("connection_id", e.ConnectionId, NpgsqlDbType.Uuid)
                .With("provider", e.Provider, NpgsqlDbType.Text).With("name", e.Name, NpgsqlDbType.Text).With("job_kind", e.JobKind)
                .With("job_config", e.JobConfigJson, NpgsqlDbType.Jsonb).Timing(e.Timing).With("max_run_seconds", e.MaxRunSeconds, NpgsqlDbType.Integer)
                .With("next_due_at", Sql.Utc(e.FirstDueAt)).With("at", Sql.Utc(e.CreatedAt)).With("version", version),
            ScheduleUpdated e => new SqlStatement("""
                update schedules set name = @name, job_config = @job_config, cron = @cron, time_zone = @time_zone, interval_seconds = @interval_seconds,
                    max_run_seconds = @max_run_seconds, next_due_at = coalesce(@next_due_at, next_due_at), updated_at = @at, version = @version
                where id = @id
                """).With("id", e.ScheduleId).With("name", e.Name, NpgsqlDbType.Text).With("job_config", e.JobConfigJson, NpgsqlDbType.Jsonb).Timing(e.Timing)
                .With("max_run_seconds", e.MaxRunSeconds, NpgsqlDbType.Integer)
                .With("next_due_at", e.NextDueAt is { } due ? Sql.Utc(due) : null, NpgsqlDbType.TimestampTz).With("at", Sql.Utc(e.UpdatedAt)).With("version", version),
            SchedulePaused e => new SqlStatement("update schedules set status = 'paused', updated_at = @at, version = @version where id = @id")
                .With("id", e.ScheduleId).With("at", Sql.Utc(e.At)).With("version", version),
            ScheduleResumed e => new SqlStatement("update schedules set status = 'active', next_due_at = @next_due_at, updated_at = @at, version = @version where id = @id")
                .With("id", e.ScheduleId).With("next_due_at", Sql.Utc(e.NextDueAt)).With("at", Sql.Utc(e.At)).With("version", version),
            ScheduleRunRequested e => new SqlStatement("update schedules set requested_run = 'run_now', updated_at = @at, version = @version where id = @id")
                .With("id", e.ScheduleId).With("at", Sql.Utc(e.At)).With("version", version),
            ScheduleDeleted e => new SqlStatement("delete from schedules where id = @id").With("id", e.ScheduleId),
            _ => null,
        };
    }
}

internal static class ScheduleTimingParameters
{
    public static SqlStatement Timing(this SqlStatement statement, ScheduleTiming timing) => statement
        .With("cron", timing.Cron, NpgsqlDbType.Text).With("time_zone", timing.TimeZone, NpgsqlDbType.Text)
        .With("interval_seconds", timing.IntervalSeconds, NpgsqlDbType.Integer);
}
