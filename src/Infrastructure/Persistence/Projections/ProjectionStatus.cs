using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Persistence.EventStore;
using JasperFx.Events.Projections;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// How far each projection is behind the log, from Marten's own bookkeeping: the high-water mark
/// (the highest sequence below which every event is committed) and each async projection's
/// progress in <c>mt_event_progression</c> (shard <c>name:All</c>).
/// </summary>
public sealed class ProjectionStatus(NpgsqlDataSource dataSource, IEnumerable<SqlProjection> projections) : IProjectionStatus
{
    public async Task<(long HighWaterMark, IReadOnlyList<ProjectionProgress> Projections)> ReadAsync(CancellationToken ct)
    {
        var progress = new Dictionary<string, (long Position, DateTimeOffset? At)>(StringComparer.Ordinal);
        await using (var command = dataSource.CreateCommand($"select name, coalesce(last_seq_id, 0), last_updated from {MartenSetup.Schema}.mt_event_progression"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                progress[reader.GetString(0)] = (reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));

        // The daemon keeps the mark while it runs; without one (no Workers host with the projections
        // pipeline yet), the last committed event stands in for it.
        long highWaterMark;
        if (progress.TryGetValue("HighWaterMark", out var mark)) highWaterMark = mark.Position;
        else
        {
            await using var last = dataSource.CreateCommand($"select coalesce(max(seq_id), 0) from {MartenSetup.Schema}.mt_events");
            highWaterMark = (long)(await last.ExecuteScalarAsync(ct))!;
        }
        return (highWaterMark, projections.Select(p => p.Lifecycle == ProjectionLifecycle.Inline
            ? new ProjectionProgress(p.Name, true, highWaterMark, null)
            : progress.TryGetValue(p.Name + ":All", out var shard)
                ? new ProjectionProgress(p.Name, false, shard.Position, shard.At)
                : new ProjectionProgress(p.Name, false, 0, null)).ToList());
    }
}
