using Integrations.Application.DeliveryStats;

namespace Integrations.Infrastructure.Persistence.ReadModels;

/// <summary>
/// Sums <c>webhook_delivery_stats</c> (per endpoint and minute) into buckets aligned to the bucket
/// size since the epoch; every tenant's through the minute index of migration 0039, one tenant's
/// through (tenant_id, minute).
/// </summary>
public sealed class DeliveryStatsReadModel(DbSession session) : IDeliveryStatsReadModel
{
    public Task<IReadOnlyList<DeliveryStatsBucket>> SeriesAsync(Guid? tenantId, DateTimeOffset from, TimeSpan bucket, CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<DeliveryStatsBucket>>(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, $"""
                select to_timestamp(floor(extract(epoch from minute) / @bucket) * @bucket) as start,
                       sum(attempts)::bigint, sum(succeeded)::bigint, sum(failed)::bigint, sum(dead_lettered)::bigint, sum(duration_ms_sum)::bigint, max(duration_ms_max)
                from webhook_delivery_stats
                where minute >= @from {(tenantId is null ? "" : "and tenant_id = @tenant_id")}
                group by 1 order by 1
                """, ("bucket", (long)bucket.TotalSeconds), ("from", Sql.Utc(from)), ("tenant_id", (object?)tenantId ?? DBNull.Value));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var buckets = new List<DeliveryStatsBucket>();
            while (await reader.ReadAsync(ct))
                buckets.Add(new DeliveryStatsBucket(reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
                    reader.GetInt64(4), reader.GetInt64(5), reader.GetInt32(6)));
            return buckets;
        }, ct);
}
