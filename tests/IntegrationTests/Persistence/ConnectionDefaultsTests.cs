using Integrations.Application.Common.Listing;
using Integrations.Infrastructure.Persistence;
using Integrations.Infrastructure.Persistence.Listing;
using Npgsql;
using Shouldly;

namespace Integrations.IntegrationTests.Persistence;

public sealed class ConnectionDefaultsTests
{
    [Fact]
    public void Auto_prepare_and_no_reset_are_added_to_a_connection_string_that_does_not_set_them()
    {
        var result = new NpgsqlConnectionStringBuilder(PersistenceServiceCollectionExtensions.WithPerformanceDefaults(
            "Host=db.internal;Database=integrations;Username=integrations;Password=p;Maximum Pool Size=50"));
        result.MaxAutoPrepare.ShouldBe(PersistenceServiceCollectionExtensions.DefaultMaxAutoPrepare);
        result.NoResetOnClose.ShouldBeTrue();
        result.Options.ShouldBe("-c plan_cache_mode=force_generic_plan -c jit=off");
        (result.Host, result.Database, result.Password, result.MaxPoolSize).ShouldBe(("db.internal", "integrations", "p", 50));
    }

    [Fact]
    public void Values_the_connection_string_sets_win()
    {
        var result = new NpgsqlConnectionStringBuilder(PersistenceServiceCollectionExtensions.WithPerformanceDefaults(
            "Host=db.internal;Max Auto Prepare=0;no reset on close=false;Options=-c jit=on"));
        result.MaxAutoPrepare.ShouldBe(0);
        result.NoResetOnClose.ShouldBeFalse();
        result.Options.ShouldBe("-c jit=on");
    }

    [Fact]
    public async Task Connections_of_the_data_source_keep_one_plan_per_statement_without_jit()
    {
        await using var source = Npgsql.NpgsqlDataSource.Create(PersistenceServiceCollectionExtensions.WithPerformanceDefaults(
            await Infrastructure.TestEnvironment.CreateMigratedDatabaseAsync()));
        await using var command = source.CreateCommand("select current_setting('plan_cache_mode') || ' ' || current_setting('jit')");
        (await command.ExecuteScalarAsync()).ShouldBe("force_generic_plan off");
    }

    [Fact]
    public async Task A_list_is_planned_for_its_values_and_its_connection_goes_back_to_the_pool_as_it_was()
    {
        // One pooled connection: the list and the check after it share it.
        await using var source = Npgsql.NpgsqlDataSource.Create(PersistenceServiceCollectionExtensions.WithPerformanceDefaults(
            await Infrastructure.TestEnvironment.CreateMigratedDatabaseAsync()) + ";Maximum Pool Size=1");
        var table = new KeysetTable
        {
            From = "(select gen_random_uuid() as id, current_setting('plan_cache_mode') as mode) rows",
            IdColumn = "id",
            Columns = new Dictionary<string, string> { ["mode"] = "mode" },
        };
        var query = new ListQuery(20, [new SortKey("mode", Integrations.Application.Common.Listing.SortDirection.Asc)], [], null, "test");

        // Past Npgsql's auto-prepare threshold (5 uses), so the list's own statement is prepared too.
        for (var i = 0; i < 7; i++)
        {
            await using var connection = await source.OpenConnectionAsync();
            var page = await KeysetQuery.ReadPageAsync(connection, null, table, "mode", [], query, r => r.GetString(0), CancellationToken.None);
            page.Data.ShouldBe(["force_custom_plan"]);
        }

        await using var command = source.CreateCommand("select current_setting('plan_cache_mode')");
        (await command.ExecuteScalarAsync()).ShouldBe("force_generic_plan");
    }
}
