using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Integrations.Infrastructure.Persistence;

/// <summary>
/// Vacuums and analyzes the platform's tables while they first fill, instead of waiting for
/// autovacuum's first visit (its naptime is a minute, and it must then notice the table). On a
/// fresh database the queue tables (outbox, webhook_delivery_queue, mt_streams) gathered 30,000–50,000
/// dead rows with no statistics in that first minute or two, and PostgreSQL spent three to four
/// times the CPU per delivery it spends afterwards (the cold-start cliff, docs/webhooks.md#performance).
/// Every <see cref="Interval"/> it analyzes a table whose changes since its last analysis exceed four
/// times the rows that analysis saw, and vacuums one whose dead rows exceed a fifth of them (at most
/// every <see cref="VacuumInterval"/>); both at least <see cref="MinimumChanges"/>. It stops after
/// <see cref="Window"/>, when autovacuum's own thresholds have taken over (busy queue tables would
/// otherwise be vacuumed every few seconds for ever). Safe in several processes: a table another
/// one is working on is skipped.
/// </summary>
public sealed class StatisticsWarmUp(NpgsqlDataSource dataSource, ILogger<StatisticsWarmUp> logger) : BackgroundService
{
    public const int MinimumChanges = 1_000;
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    /// <summary>A table is vacuumed here at most this often (autovacuum: once per naptime, a minute by default).</summary>
    public static readonly TimeSpan VacuumInterval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        var until = DateTime.UtcNow + Window;
        try
        {
            do
            {
                try
                {
                    await AnalyzeGrownTablesAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                {
                    // Statistics only speed queries up; PostgreSQL being away is someone else's alarm.
                    logger.LogDebug(ex, "Analyzing grown tables failed; trying again in {Interval}", Interval);
                }
            }
            while (DateTime.UtcNow < until && await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Analyzes (and vacuums) the tables that grew past their statistics or filled with dead rows; returns their qualified names.</summary>
    public async Task<IReadOnlyList<string>> AnalyzeGrownTablesAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var grown = new List<(string Table, bool Vacuum)>();
        await using (var find = new NpgsqlCommand("""
            select quote_ident(s.schemaname) || '.' || quote_ident(s.relname),
                   s.n_dead_tup >= greatest(@minimum, 0.2 * greatest(c.reltuples, 0))
                   and coalesce(greatest(s.last_vacuum, s.last_autovacuum), '-infinity') < now() - @vacuumInterval as needs_vacuum
            from pg_stat_user_tables s
            join pg_class c on c.oid = s.relid
            where pg_has_role(c.relowner, 'USAGE')
              and (s.n_mod_since_analyze >= greatest(@minimum, 4 * greatest(c.reltuples, 0))
                   or (s.n_dead_tup >= greatest(@minimum, 0.2 * greatest(c.reltuples, 0))
                       and coalesce(greatest(s.last_vacuum, s.last_autovacuum), '-infinity') < now() - @vacuumInterval))
            order by s.n_mod_since_analyze + s.n_dead_tup desc
            """, connection))
        {
            find.Parameters.AddWithValue("minimum", (long)MinimumChanges);
            find.Parameters.AddWithValue("vacuumInterval", VacuumInterval);
            await using var reader = await find.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) grown.Add((reader.GetString(0), reader.GetBoolean(1)));
        }
        foreach (var (table, vacuum) in grown)
        {
            // The name comes from the catalog, quoted by quote_ident. VACUUM runs outside a transaction, as here.
            await using var command = new NpgsqlCommand($"{(vacuum ? "vacuum (analyze, skip_locked)" : "analyze (skip_locked)")} {table}", connection);
            await command.ExecuteNonQueryAsync(ct);
        }
        if (grown.Count > 0) logger.LogDebug("Analyzed {Tables}: they grew past their statistics or filled with dead rows", string.Join(", ", grown.Select(g => g.Vacuum ? g.Table + " (vacuumed)" : g.Table)));
        return grown.Select(g => g.Table).ToList();
    }
}
