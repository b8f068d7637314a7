using Integrations.Infrastructure.Persistence;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Shouldly;

namespace Integrations.IntegrationTests.Persistence;

/// <summary>
/// The cold-start cliff (docs/webhooks.md#performance): on a fresh database the queue tables filled
/// with dead rows and went without statistics until autovacuum's first visit, a minute or more. The
/// warm-up vacuums and analyzes them as they fill.
/// </summary>
public sealed class StatisticsWarmUpTests
{
    [Fact]
    public async Task A_queue_table_full_of_dead_rows_is_vacuumed_and_analyzed_and_not_again_within_the_vacuum_interval()
    {
        await using var dataSource = NpgsqlDataSource.Create(await TestEnvironment.CreateMigratedDatabaseAsync());
        // As during a first load, before autovacuum's first visit: rows written, published and completed (deleted).
        await ExecuteAsync(dataSource, """
            insert into outbox (message_id, topic, message_key, payload, headers, awaits_consumer)
            select gen_random_uuid(), 'integrations.events.v1', 'k' || (i % 97), '{}', '{}', true from generate_series(1, 20000) i;
            """);
        await ExecuteAsync(dataSource, "delete from outbox where id <= 19000");
        await Eventually.HoldsAsync(async () => await ScalarAsync<long>(dataSource, "select n_dead_tup from pg_stat_user_tables where relname = 'outbox'") >= 19000,
            TimeSpan.FromSeconds(15), "the deleted rows are counted as dead");
        var warmUp = new StatisticsWarmUp(dataSource, NullLogger<StatisticsWarmUp>.Instance);

        (await warmUp.AnalyzeGrownTablesAsync(CancellationToken.None)).ShouldContain("public.outbox");

        (await ScalarAsync<long>(dataSource, "select n_dead_tup from pg_stat_user_tables where relname = 'outbox'")).ShouldBeLessThan(StatisticsWarmUp.MinimumChanges);
        (await ScalarAsync<bool>(dataSource, "select last_vacuum is not null and last_analyze is not null from pg_stat_user_tables where relname = 'outbox'")).ShouldBeTrue();
        (await ScalarAsync<float>(dataSource, "select reltuples from pg_class where relname = 'outbox'")).ShouldBe(1000);
        await ExecuteAsync(dataSource, "delete from outbox");
        await Eventually.HoldsAsync(async () => await ScalarAsync<long>(dataSource, "select n_dead_tup from pg_stat_user_tables where relname = 'outbox'") >= 1000,
            TimeSpan.FromSeconds(15), "the deleted rows are counted as dead");
        (await warmUp.AnalyzeGrownTablesAsync(CancellationToken.None)).ShouldNotContain("public.outbox");
    }

    [Fact]
    public async Task Only_tables_that_grew_past_their_statistics_are_analyzed_and_each_once()
    {
        await using var dataSource = NpgsqlDataSource.Create(await TestEnvironment.CreateMigratedDatabaseAsync());
        await ExecuteAsync(dataSource, """
            create table warm_grown (id int);
            create table warm_small (id int);
            insert into warm_grown select generate_series(1, 3000);
            insert into warm_small select generate_series(1, StatisticsWarmUp_Minimum - 1);
            """.Replace("StatisticsWarmUp_Minimum", StatisticsWarmUp.MinimumChanges.ToString()));
        await WaitForChangeCountsAsync(dataSource, "warm_grown", 3000);
        var warmUp = new StatisticsWarmUp(dataSource, NullLogger<StatisticsWarmUp>.Instance);

        var first = await warmUp.AnalyzeGrownTablesAsync(CancellationToken.None);

        first.ShouldContain("public.warm_grown");
        first.ShouldNotContain("public.warm_small");
        (await ScalarAsync<float>(dataSource, "select reltuples from pg_class where relname = 'warm_grown'")).ShouldBe(3000);
        await WaitForChangeCountsAsync(dataSource, "warm_grown", 0);
        (await warmUp.AnalyzeGrownTablesAsync(CancellationToken.None)).ShouldNotContain("public.warm_grown");

        // Grown again, but not past four times what the analysis saw: autovacuum's business.
        await ExecuteAsync(dataSource, "insert into warm_grown select generate_series(1, 5000)");
        await WaitForChangeCountsAsync(dataSource, "warm_grown", 5000);
        (await warmUp.AnalyzeGrownTablesAsync(CancellationToken.None)).ShouldNotContain("public.warm_grown");
    }

    // Table statistics reach pg_stat_user_tables when the writing session flushes them (at most once a second).
    private static Task WaitForChangeCountsAsync(NpgsqlDataSource dataSource, string table, long changes) =>
        Eventually.HoldsAsync(async () =>
            await ScalarAsync<long>(dataSource, $"select coalesce((select n_mod_since_analyze from pg_stat_user_tables where relname = '{table}'), -1)") == changes,
            TimeSpan.FromSeconds(15), $"{table} counts {changes} changes since its last analysis");

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
