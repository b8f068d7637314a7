using Integrations.Infrastructure.Persistence;
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
        result.Options.ShouldBe("-c plan_cache_mode=force_custom_plan -c jit=off");
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
    public async Task Connections_of_the_data_source_use_custom_plans_without_jit()
    {
        await using var source = Npgsql.NpgsqlDataSource.Create(PersistenceServiceCollectionExtensions.WithPerformanceDefaults(
            await Infrastructure.TestEnvironment.CreateMigratedDatabaseAsync()));
        await using var command = source.CreateCommand("select current_setting('plan_cache_mode') || ' ' || current_setting('jit')");
        (await command.ExecuteScalarAsync()).ShouldBe("force_custom_plan off");
    }
}
