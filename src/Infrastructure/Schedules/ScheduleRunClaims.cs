using Integrations.Application.Schedules;
using Integrations.Application.Schedules.Pipelines.Runner;
using Integrations.Domain.Scheduling;
using Integrations.Infrastructure.Persistence;
using Npgsql;

namespace Integrations.Infrastructure.Schedules;

/// <summary>
/// The runner's side of <c>schedules</c> and <c>schedule_runs</c> (migration 0035, ADR 0021). A claim
/// is one short transaction under a transaction-level advisory lock, so the running counts it admits
/// against are exact across processes; due schedules are read FOR UPDATE SKIP LOCKED (an API write to
/// one never blocks it), and the unique index on running runs forbids an overlap whatever happens.
/// </summary>
public sealed class ScheduleRunClaims(NpgsqlDataSource dataSource, SchedulesOptions options) : IScheduleRunClaims
{
    /// <summary>The advisory lock key of the claim ("sched" in ASCII).</summary>
    private const long ClaimLock = 0x7363686564;

    /// <summary>Where a cron expression that never occurs again parks its schedule.</summary>
    private static readonly DateTimeOffset Never = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const string RecoverLost = """
        with lost as (
            update schedule_runs set status = 'lost', finished_at = now(),
                error = 'The worker running it stopped heartbeating (it died or lost the database); the schedule runs again.'
            where status = 'running' and (heartbeat_at < now() - @lease or deadline_at < now() - @lease)
            returning schedule_id)
        update schedules s set requested_run = coalesce(s.requested_run, 'retry') from lost where s.id = lost.schedule_id
        """;

    private const string SelectDue = """
        select s.id, s.tenant_id, s.connection_id, s.provider, s.job_kind, s.job_config::text, s.cron, s.time_zone, s.interval_seconds, s.max_run_seconds,
               s.checkpoint, s.requested_run, s.status = 'active' and s.next_due_at <= now()
        from schedules s
        where ((s.status = 'active' and s.next_due_at <= now()) or s.requested_run is not null)
          and not exists (select 1 from schedule_runs r where r.schedule_id = s.id and r.status = 'running')
        order by s.requested_run is null, s.next_due_at, s.id
        limit @limit
        for update of s skip locked
        """;

    public async Task<IReadOnlyList<ClaimedRun>> ClaimAsync(string worker, int room, ClaimPolicy policy, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await Sql.ExecuteAsync(connection, transaction, "select pg_advisory_xact_lock(@key)", ct, ("key", ClaimLock));
        await Sql.ExecuteAsync(connection, transaction, RecoverLost, ct, ("lease", options.LeaseDuration));

        var running = new List<RunScope>();
        await using (var command = Sql.Command(connection, transaction, "select tenant_id, connection_id, provider from schedule_runs where status = 'running'"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                running.Add(new RunScope(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2)));

        // More than there is room for: schedules of full tenants or connections must not hide the others behind them.
        var due = new List<DueSchedule>();
        await using (var command = Sql.Command(connection, transaction, SelectDue, ("limit", Math.Max(room * 8, 64))))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) due.Add(Read(reader));

        var admitted = policy.Admit(running, due);
        if (admitted.Count == 0)
        {
            await transaction.CommitAsync(ct);
            return [];
        }
        var now = DateTimeOffset.UtcNow;
        var runs = admitted.Select(d => new ClaimedRun(Guid.CreateVersion7(), d, d.RequestedRun ?? "schedule", now + policy.MaxRunTime(d))).ToList();
        await Sql.ExecuteAsync(connection, transaction, """
            insert into schedule_runs (id, schedule_id, tenant_id, connection_id, provider, trigger, status, worker, started_at, heartbeat_at, deadline_at)
            select r.id, s.id, s.tenant_id, s.connection_id, s.provider, r.trigger, 'running', @worker, now(), now(), r.deadline_at
            from unnest(@run_ids::uuid[], @schedule_ids::uuid[], @triggers::text[], @deadlines::timestamptz[]) as r(id, schedule_id, trigger, deadline_at)
            join schedules s on s.id = r.schedule_id
            """, ct, ("worker", worker), ("run_ids", runs.Select(r => r.RunId).ToArray()), ("schedule_ids", runs.Select(r => r.Schedule.ScheduleId).ToArray()),
            ("triggers", runs.Select(r => r.Trigger).ToArray()), ("deadlines", runs.Select(r => Sql.Utc(r.Deadline)).ToArray()));
        var moved = admitted.Where(d => d.Due).Select(d => (d.ScheduleId, Next: policy.NextDue(d) ?? Never)).ToList();
        await Sql.ExecuteAsync(connection, transaction, """
            update schedules s set requested_run = null from unnest(@ids::uuid[]) as r(id) where s.id = r.id;
            update schedules s set next_due_at = r.next from unnest(@due_ids::uuid[], @next::timestamptz[]) as r(id, next) where s.id = r.id;
            """, ct, ("ids", admitted.Select(d => d.ScheduleId).ToArray()), ("due_ids", moved.Select(m => m.ScheduleId).ToArray()),
            ("next", moved.Select(m => Sql.Utc(m.Next > Never ? Never : m.Next)).ToArray()));
        await transaction.CommitAsync(ct);
        return runs;
    }

    public async Task<IReadOnlySet<Guid>> HeartbeatAsync(string worker, IReadOnlyCollection<Guid> runIds, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "update schedule_runs set heartbeat_at = now() where id = any(@ids) and status = 'running' and worker = @worker returning id");
        command.Parameters.AddValue("ids", runIds.ToArray());
        command.Parameters.AddValue("worker", worker);
        var alive = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) alive.Add(reader.GetGuid(0));
        return alive;
    }

    public async Task FailAsync(string worker, Guid runId, string outcome, string error, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            update schedule_runs set status = @outcome, finished_at = now(), error = @error
            where id = @id and status = 'running' and worker = @worker
            """);
        command.Parameters.AddValue("id", runId);
        command.Parameters.AddValue("worker", worker);
        command.Parameters.AddValue("outcome", outcome);
        command.Parameters.AddValue("error", error.Length > 1000 ? error[..1000] : error);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static DueSchedule Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0), reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.GetString(4), reader.GetString(5),
        new ScheduleTiming(reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetInt32(8)),
        reader.IsDBNull(9) ? null : reader.GetInt32(9), reader.IsDBNull(10) ? null : reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetString(11),
        reader.GetBoolean(12));
}
