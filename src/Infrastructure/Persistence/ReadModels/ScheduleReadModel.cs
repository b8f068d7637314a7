using System.Text.Json;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.Schedules;
using Integrations.Infrastructure.Persistence.Listing;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.ReadModels;

/// <summary>The schedules from <c>schedules</c> and their runs from <c>schedule_runs</c> (migration 0035).</summary>
public sealed class ScheduleReadModel(DbSession session) : IScheduleReadModel
{
    private const string Columns = """
        id, connection_id, name, job_kind, job_config::text, cron, time_zone, interval_seconds, max_run_seconds, status, next_due_at, requested_run is not null,
        checkpoint, created_at, updated_at
        """;

    private const string RunColumns = """
        id, schedule_id, trigger, status, started_at, finished_at, records_read, records_written, checkpoint, error
        """;

    private static readonly KeysetTable Table = new()
    {
        From = "schedules",
        IdColumn = "id",
        Columns = new Dictionary<string, string> { ["created_at"] = "created_at", ["status"] = "status", ["connection_id"] = "connection_id" },
    };

    private static readonly KeysetTable Runs = new()
    {
        From = "schedule_runs",
        IdColumn = "id",
        Columns = new Dictionary<string, string> { ["started_at"] = "started_at", ["outcome"] = "status" },
    };

    public Task<ScheduleDto?> FindAsync(Guid tenantId, Guid scheduleId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, $"select {Columns} from schedules where id = @id and tenant_id = @tenant_id",
                ("id", scheduleId), ("tenant_id", tenantId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? Read(reader) : null;
        }, ct);

    public Task<CursorPage<ScheduleDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => KeysetQuery.ReadPageAsync(connection, transaction, Table, Columns, [("tenant_id", tenantId)], query, Read, ct), ct);

    public Task<CursorPage<ScheduleRunDto>> ListRunsAsync(Guid tenantId, Guid scheduleId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => KeysetQuery.ReadPageAsync(connection, transaction, Runs, RunColumns,
            [("schedule_id", scheduleId), ("tenant_id", tenantId)], query, ReadRun, ct), ct);

    private static ScheduleDto Read(NpgsqlDataReader reader)
    {
        var status = reader.GetString(9);
        return new ScheduleDto(
            reader.GetGuid(0),
            reader.IsDBNull(1) ? null : reader.GetGuid(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            new ScheduleJobDto(reader.GetString(3), JsonDocument.Parse(reader.GetString(4)).RootElement.Clone()),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            reader.IsDBNull(7) ? null : reader.GetInt32(7),
            reader.IsDBNull(8) ? null : reader.GetInt32(8),
            status,
            status == "active" ? reader.GetFieldValue<DateTimeOffset>(10) : null,
            reader.GetBoolean(11),
            reader.IsDBNull(12) ? null : reader.GetString(12),
            reader.GetFieldValue<DateTimeOffset>(13),
            reader.GetFieldValue<DateTimeOffset>(14));
    }

    private static ScheduleRunDto ReadRun(NpgsqlDataReader reader)
    {
        var started = reader.GetFieldValue<DateTimeOffset>(4);
        DateTimeOffset? finished = reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5);
        return new ScheduleRunDto(
            reader.GetGuid(0),
            reader.GetGuid(1),
            reader.GetString(2),
            reader.GetString(3),
            started,
            finished,
            finished is { } end ? (long)(end - started).TotalMilliseconds : null,
            reader.GetInt32(6),
            reader.GetInt32(7),
            reader.IsDBNull(8) ? null : reader.GetString(8),
            reader.IsDBNull(9) ? null : reader.GetString(9));
    }
}
