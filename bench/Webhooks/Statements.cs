using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Integrations.Bench.Webhooks;

/// <summary>
/// Where PostgreSQL's time goes during one phase, from pg_stat_statements (loaded by the benchmark's
/// server): the statements with the most total planning and execution time (custom plans are
/// made per execution, see WithPerformanceDefaults), their calls per event and per
/// delivery, and the transactions per event. The benchmark's own queries carry the
/// <see cref="Marker"/> comment and are left out of every figure. A diagnostic: its queries run
/// with <see cref="Diagnostics"/>' timeout, and when they fail the profile reads "n/a (reason)".
/// </summary>
public sealed partial class Statements
{
    /// <summary>Starts every query of the benchmark itself, so the profile can leave them out.</summary>
    public const string Marker = "/* bench */";

    private readonly string _connectionString;
    private long _events;
    private long _deliveries;
    private long _transactions;
    private Wal _wal = new(0, 0, 0);
    private Dictionary<string, (long Updates, long Hot)> _updates = [];
    private string? _unavailable;

    private Statements(string connectionString) => _connectionString = connectionString;

    /// <summary>Clears the statistics and notes the counters the profile divides by; never throws.</summary>
    public static async Task<Statements> StartAsync(string connectionString)
    {
        var profile = new Statements(connectionString);
        try
        {
            await using var connection = await Diagnostics.OpenAsync(connectionString);
            await using (var reset = new NpgsqlCommand(Marker + " select pg_stat_statements_reset()", connection)) await reset.ExecuteNonQueryAsync();
            (profile._events, profile._deliveries, profile._transactions) = await CountersAsync(connection);
            profile._wal = await WalAsync(connection);
            profile._updates = await UpdatesAsync(connection);
        }
        catch (Exception e)
        {
            profile._unavailable = Diagnostics.Unavailable(e);
        }
        return profile;
    }

    /// <summary>The profile since <see cref="StartAsync"/>, a few lines of text, or "n/a (reason)"; never throws.</summary>
    public async Task<string> DescribeAsync(int top = 12) =>
        "    " + (_unavailable ?? await Diagnostics.TryAsync(() => QueryAsync(top))).TrimStart();

    private async Task<string> QueryAsync(int top)
    {
        await using var connection = await Diagnostics.OpenAsync(_connectionString);
        var (events, deliveries, transactions) = await CountersAsync(connection);
        events -= _events;
        deliveries -= _deliveries;
        transactions -= _transactions;
        var perEvent = Math.Max(1, events);
        var perDelivery = (double)Math.Max(1, deliveries);
        var wal = await WalAsync(connection) - _wal;
        // Every query of the benchmark is a transaction of its own: they are not the platform's.
        await using (var own = new NpgsqlCommand($"{Marker} select coalesce(sum(calls), 0)::bigint from pg_stat_statements where query like '{Marker}%'", connection))
            transactions -= (long)(await own.ExecuteScalarAsync())!;

        await using var command = new NpgsqlCommand($"""
            {Marker} select query, calls, total_exec_time + total_plan_time, rows, (shared_blks_hit + shared_blks_read)::float8 as blocks, sum(total_exec_time + total_plan_time) over () as all_time,
                   sum(calls) filter (where query ~* '^\s*commit') over () as commits,
                   sum(shared_blks_hit + shared_blks_read) over ()::float8 as touched, sum(shared_blks_dirtied) over ()::float8 as dirtied
            from pg_stat_statements
            where dbid = (select oid from pg_database where datname = current_database()) and query not like '{Marker}%'
            order by total_exec_time + total_plan_time desc
            """, connection);
        var rows = new List<(string Query, long Calls, double Total, long Rows, double Blocks)>();
        double allTime = 0;
        long commits = 0;
        double touched = 0, dirtied = 0;
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetInt64(3), reader.GetDouble(4)));
                allTime = reader.GetDouble(5);
                commits = reader.IsDBNull(6) ? 0 : (long)reader.GetDecimal(6);
                touched = reader.GetDouble(7);
                dirtied = reader.GetDouble(8);
            }

        var text = new StringBuilder();
        text.AppendLine($"    {events} events, {deliveries} deliveries; transactions per event {transactions / (double)perEvent:F2} " +
                        $"(explicit COMMITs {commits / (double)perEvent:F2}); statements per event {rows.Sum(r => r.Calls) / (double)perEvent:F2}; " +
                        $"statement planning and execution {allTime / perEvent:F2} ms per event");
        // Counts, not times: they do not grow with the wait for a core, so they compare across runs.
        text.AppendLine($"    per delivery: WAL {wal.Bytes / perDelivery:F0} bytes in {wal.Records / perDelivery:F1} records " +
                        $"({wal.FullPageImages / perDelivery:F2} full-page images); shared buffers touched {touched / perDelivery:F1}, dirtied {dirtied / perDelivery:F2}");
        // A HOT update writes its new row version on the same page and no index entry.
        var updates = (await UpdatesAsync(connection))
            .Select(u => (Table: u.Key, Updates: u.Value.Updates - _updates.GetValueOrDefault(u.Key).Updates, Hot: u.Value.Hot - _updates.GetValueOrDefault(u.Key).Hot))
            .Where(u => u.Updates > 0).OrderByDescending(u => u.Updates).Take(6);
        text.AppendLine("    row updates per delivery (HOT share): " +
                        string.Join(", ", updates.Select(u => $"{u.Table} {u.Updates / perDelivery:F2} ({u.Hot / (double)u.Updates:P0})")));
        text.AppendLine("    top statements by planning + execution time:   total ms   calls/event   ms/call   rows/call   buffers/delivery");
        foreach (var row in rows.Take(top)) text.AppendLine(Describe(row));
        text.AppendLine("    most frequent (round trips):              total ms   calls/event   ms/call   rows/call   buffers/delivery");
        foreach (var row in rows.OrderByDescending(r => r.Calls).Take(top / 2)) text.AppendLine(Describe(row));
        return text.ToString().TrimEnd();

        string Describe((string Query, long Calls, double Total, long Rows, double Blocks) row) =>
            $"      {row.Total,10:F0} {row.Calls / (double)perEvent,12:F2} {row.Total / Math.Max(1, row.Calls),9:F3} {row.Rows / (double)Math.Max(1, row.Calls),10:F1} " +
            $"{row.Blocks / perDelivery,14:F1}   {Shorten(row.Query)}";
    }

    /// <summary>
    /// Accepted events, created deliveries and finished transactions of the database so far. The
    /// transaction counter is PostgreSQL's cumulative statistics, which backends report at most once a
    /// second, so it is a close figure, not an exact one.
    /// </summary>
    private static async Task<(long Events, long Deliveries, long Transactions)> CountersAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand($"""
            {Marker} select (select count(*) from events), (select count(*) from webhook_deliveries),
                   (select xact_commit + xact_rollback from pg_stat_database where datname = current_database())
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private sealed record Wal(long Records, long FullPageImages, long Bytes)
    {
        public static Wal operator -(Wal a, Wal b) => new(a.Records - b.Records, a.FullPageImages - b.FullPageImages, a.Bytes - b.Bytes);
    }

    /// <summary>The server's WAL counters so far (pg_stat_wal; the benchmark's own queries write none).</summary>
    private static async Task<Wal> WalAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand($"{Marker} select wal_records, wal_fpi, wal_bytes::bigint from pg_stat_wal", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new Wal(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>Row updates per table so far, and how many were HOT (cumulative statistics, reported by backends about once a second).</summary>
    private static async Task<Dictionary<string, (long Updates, long Hot)>> UpdatesAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand($"{Marker} select relname, n_tup_upd, n_tup_hot_upd from pg_stat_user_tables", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var updates = new Dictionary<string, (long Updates, long Hot)>();
        while (await reader.ReadAsync()) updates[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
        return updates;
    }

    private static string Shorten(string query)
    {
        var oneLine = Whitespace().Replace(query, " ").Trim();
        return oneLine.Length <= 150 ? oneLine : oneLine[..147] + "...";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
