using Npgsql;

namespace Integrations.Bench.Webhooks;

/// <summary>
/// Where the time of a delivery goes, from the platform's own records: accepted (events.timestamp)
/// → delivery created by the fan-out (webhook_deliveries.created_at) → first attempt started (the
/// started_at of the delivery stream's first WebhookAttemptMade event). The rest, to the sink, is the HTTP request itself.
/// Beside the first stage, the relay's part of it: accepted → marked published by the outbox
/// relay (outbox.published_at, written once the broker acknowledged; the fan-out may be earlier).
/// </summary>
public static class Stages
{
    public static async Task<string> DescribeAsync(string connectionString, DateTimeOffset since)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(Statements.Marker + """
             select percentile_cont(array[0.5, 0.99]) within group (order by extract(epoch from (a.data->>'started_at')::timestamptz - d.created_at) * 1000),
                   percentile_cont(array[0.5, 0.99]) within group (order by (a.data->>'duration_ms')::int),
                   percentile_cont(array[0.5, 0.99]) within group (order by extract(epoch from o.published_at - e."timestamp") * 1000),
                   percentile_cont(array[0.5, 0.99]) within group (order by extract(epoch from d.created_at - e."timestamp") * 1000)
            from webhook_deliveries d
            join events e on e.id = d.event_id
            left join outbox o on o.message_id = e.id
            join es_events a on a.stream_id = 'webhook_delivery-' || replace(d.id::text, '-', '')
                            and a.event_type = 'WebhookAttemptMade' and (a.data->>'attempt')::int = 1
            where e."timestamp" >= @since and (a.data->>'status_code')::int = 200
            """, connection);
        command.Parameters.AddWithValue("since", since.ToUniversalTime());
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        string Pair(int i) => reader.IsDBNull(i) ? "n/a" : $"p50 {reader.GetFieldValue<double[]>(i)[0]:F1} / p99 {reader.GetFieldValue<double[]>(i)[1]:F1} ms";
        return $"accepted → delivery created {Pair(3)} (of which accepted → relayed {Pair(2)}); created → first attempt {Pair(0)}; attempt (HTTP) {Pair(1)}";
    }
}
