using System.Diagnostics;
using Integrations.Infrastructure.Persistence;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Integrations.Bench;

/// <summary>Latency percentiles of repeated calls, and a fresh migrated database on a throwaway PostgreSQL (ADR 0006).</summary>
public static class Measure
{
    public sealed record Latency(double P50, double P99, double Mean)
    {
        public override string ToString() => $"p50 {P50,8:F3} ms   p99 {P99,8:F3} ms   mean {Mean,8:F3} ms";
    }

    public static async Task<Latency> RunAsync(int iterations, Func<Task> call, int warmup = 20)
    {
        for (var i = 0; i < warmup; i++) await call();
        var samples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return Summarise(samples);
    }

    public static Latency Summarise(IReadOnlyCollection<double> samples)
    {
        var sorted = samples.Order().ToArray();
        return new Latency(sorted[(int)(sorted.Length * 0.50)], sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))], sorted.Average());
    }

    public static async Task<(PostgresServer Server, NpgsqlDataSource DataSource)> FreshDatabaseAsync()
    {
        var server = await PostgresServer.StartAsync();
        var connectionString = await server.CreateDatabaseAsync("bench");
        var dataSource = NpgsqlDataSource.Create(connectionString);
        await new DatabaseMigrator(dataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync(CancellationToken.None);
        return (server, dataSource);
    }
}
