using Npgsql;

namespace Integrations.Bench.Webhooks;

/// <summary>
/// PostgreSQL's own background work so far: autovacuum and autoanalyze runs, and checkpoints. A
/// phase of a few seconds that one of them falls into pays its CPU (autovacuum workers and the
/// checkpointer are PostgreSQL processes), which explains part of the spread between runs.
/// </summary>
public sealed record Background(long AutovacuumRuns, long Checkpoints)
{
    public static async Task<Background> ReadAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            {Statements.Marker} select (select coalesce(sum(autovacuum_count + autoanalyze_count), 0)::bigint from pg_stat_user_tables),
                   (select checkpoints_timed + checkpoints_req from pg_stat_bgwriter)
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new Background(reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>What ran since this reading, as a few words.</summary>
    public async Task<string> SinceAsync(string connectionString)
    {
        var now = await ReadAsync(connectionString);
        return $"; meanwhile {now.AutovacuumRuns - AutovacuumRuns} autovacuum/autoanalyze runs, {now.Checkpoints - Checkpoints} checkpoints";
    }
}
