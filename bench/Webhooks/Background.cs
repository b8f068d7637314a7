using Npgsql;

namespace Integrations.Bench.Webhooks;

/// <summary>
/// PostgreSQL's own background work so far: autovacuum and autoanalyze runs, and checkpoints. A
/// phase of a few seconds that one of them falls into pays its CPU (autovacuum workers and the
/// checkpointer are PostgreSQL processes), which explains part of the spread between runs. A
/// diagnostic: a reading that fails (<see cref="Diagnostics"/>) is <see cref="Unavailable"/>, and
/// what it would have said reads "n/a".
/// </summary>
public sealed record Background(long AutovacuumRuns, long Checkpoints, string? Unavailable = null)
{
    /// <summary>The counters now; never throws.</summary>
    public static async Task<Background> ReadAsync(string connectionString)
    {
        try
        {
            await using var connection = await Diagnostics.OpenAsync(connectionString);
            await using var command = new NpgsqlCommand($"""
                {Statements.Marker} select (select coalesce(sum(autovacuum_count + autoanalyze_count), 0)::bigint from pg_stat_user_tables),
                       (select checkpoints_timed + checkpoints_req from pg_stat_bgwriter)
                """, connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return new Background(reader.GetInt64(0), reader.GetInt64(1));
        }
        catch (Exception e)
        {
            return new Background(0, 0, Diagnostics.Unavailable(e));
        }
    }

    /// <summary>"runs/checkpoints" between this reading and a later one, or "n/a".</summary>
    public string CountsUntil(Background later) =>
        Unavailable is null && later.Unavailable is null ? $"{later.AutovacuumRuns - AutovacuumRuns}/{later.Checkpoints - Checkpoints}" : "n/a";

    /// <summary>What ran since this reading, as a few words; never throws.</summary>
    public async Task<string> SinceAsync(string connectionString)
    {
        var now = await ReadAsync(connectionString);
        return (Unavailable ?? now.Unavailable) is { } unavailable
            ? $"; meanwhile (autovacuum runs, checkpoints) {unavailable}"
            : $"; meanwhile {now.AutovacuumRuns - AutovacuumRuns} autovacuum/autoanalyze runs, {now.Checkpoints - Checkpoints} checkpoints";
    }
}
