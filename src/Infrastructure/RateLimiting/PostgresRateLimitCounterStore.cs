using Integrations.Application.Common.Interfaces;
using Npgsql;

namespace Integrations.Infrastructure.RateLimiting;

/// <summary>
/// Counters in PostgreSQL: one atomic upsert per request, so concurrent requests on any number of
/// API instances count exactly once each. Windows are aligned on the database clock (date_bin), so
/// instances with skewed clocks still share one window. Its cost is measured in bench/RateLimitStore.
/// </summary>
public sealed class PostgresRateLimitCounterStore(NpgsqlDataSource dataSource) : IRateLimitCounterStore
{
    public async Task<RateLimitCount> IncrementAsync(string partitionKey, TimeSpan window, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            insert into rate_limit_counters as c (partition_key, window_start, count)
            values (@key, date_bin(@window, now(), timestamptz '2000-01-01 00:00:00+00'), 1)
            on conflict (partition_key, window_start) do update set count = c.count + 1
            returning c.count, extract(epoch from c.window_start + @window - clock_timestamp())::float8
            """);
        command.Parameters.AddWithValue("key", partitionKey);
        command.Parameters.AddWithValue("window", window);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new RateLimitCount(reader.GetInt64(0), TimeSpan.FromSeconds(Math.Max(0, reader.GetDouble(1))));
    }

    public async Task<int> PurgeAsync(TimeSpan window, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("delete from rate_limit_counters where window_start < now() - 2 * @window");
        command.Parameters.AddWithValue("window", window);
        return await command.ExecuteNonQueryAsync(ct);
    }
}
