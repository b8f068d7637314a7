using Integrations.Infrastructure.Persistence;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Integrations.IntegrationTests.Infrastructure;

/// <summary>
/// One PostgreSQL server and one development broker per test run, started on first use and stopped
/// when the test process exits. Each test class takes a fresh, migrated database of its own; a test
/// that injects broker faults starts a broker of its own.
/// </summary>
public static class TestEnvironment
{
    public static readonly string[] Topics = ["integrations.events.v1:12", "integrations.webhook-deliveries.v1:12", "integrations.product-commands.v1:12", "integrations.inbound.v1:12"];

    private static readonly Lazy<Task<PostgresServer>> SharedPostgres = new(() => PostgresServer.StartAsync());
    private static readonly Lazy<Task<KafkaDevBroker>> SharedBroker = new(() => KafkaDevBroker.StartAsync(Topics));

    static TestEnvironment()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (SharedBroker.IsValueCreated && SharedBroker.Value.IsCompletedSuccessfully) SharedBroker.Value.Result.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
            if (SharedPostgres.IsValueCreated && SharedPostgres.Value.IsCompletedSuccessfully) SharedPostgres.Value.Result.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
        };
    }

    public static Task<PostgresServer> Postgres => SharedPostgres.Value;

    /// <summary>The checkout the tests run from: the folder above the test binaries that holds Integrations.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Integrations.sln"))) return dir.FullName;
        throw new InvalidOperationException("Integrations.sln not found above the test binaries.");
    }

    public static Task<KafkaDevBroker> Broker => SharedBroker.Value;

    /// <summary>The Workers host's build output (src/Workers), for tests that run it as a process of its own.</summary>
    public static string WorkersAssembly()
    {
        // The tests run from tests/IntegrationTests/bin/<configuration>/net10.0/<rid>/: the Workers build sits at the same place under src/Workers.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (rid, framework, configuration) = (output.Name, output.Parent!.Name, output.Parent.Parent!.Name);
        var path = Path.Combine(RepositoryRoot(), "src", "Workers", "bin", configuration, framework, rid, "Integrations.Workers.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build src/Workers first: {path} is missing.");
    }

    /// <summary>A new database with the full schema applied; returns its connection string.</summary>
    public static async Task<string> CreateMigratedDatabaseAsync()
    {
        return await CreateMigratedDatabaseAsync(await Postgres);
    }

    /// <summary>A new database with the full schema applied on <paramref name="server"/>; returns its connection string.</summary>
    public static async Task<string> CreateMigratedDatabaseAsync(PostgresServer server)
    {
        var connectionString = await server.CreateDatabaseAsync("t_" + Guid.NewGuid().ToString("N")[..16]);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new DatabaseMigrator(dataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync(CancellationToken.None);
        return connectionString;
    }
}
