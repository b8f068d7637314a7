using Npgsql;

namespace Integrations.Bench.Webhooks;

/// <summary>
/// Where the time of a delivery goes, from the platform's own records: accepted (events.timestamp)
/// → delivery created by the fan-out (webhook_deliveries.created_at) → first attempt started (the
/// started_at of the delivery stream's first WebhookAttemptMade event). The rest, to the sink, is the HTTP request itself.
/// Beside the first stage, the relay's part of it: accepted → marked published by the outbox
/// relay (outbox.published_at, written once the broker acknowledged; the fan-out may be earlier).
/// The tail is described too: for the slowest 1 % of deliveries (accepted → first attempt), the
/// mean of each stage, so a p99 can be traced to the hop that makes it.
/// </summary>
public static class Stages
{
    public static async Task<string> DescribeAsync(string connectionString, DateTimeOffset since, IReadOnlyList<Guid> endpoints)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(Statements.Marker + """
             with stages as (
                 select extract(epoch from o.published_at - e."timestamp") * 1000 as relayed,
                        extract(epoch from d.created_at - e."timestamp") * 1000 as created,
                        extract(epoch from (a.data->>'started_at')::timestamptz - d.created_at) * 1000 as claimed,
                        (a.data->>'duration_ms')::int as http
                 from webhook_deliveries d
                 join events e on e.id = d.event_id
                 left join outbox o on o.message_id = e.id
                 join es_events a on a.stream_id = 'webhook_delivery-' || replace(d.id::text, '-', '')
                                 and a.event_type = 'WebhookAttemptMade' and (a.data->>'attempt')::int = 1
                 where e."timestamp" >= @since and d.endpoint_id = any(@endpoints) and (a.data->>'status_code')::int = 200),
             tail as (select * from stages where created + claimed >= (select percentile_cont(0.99) within group (order by created + claimed) from stages))
             select (select percentile_cont(array[0.5, 0.99]) within group (order by claimed) from stages),
                    (select percentile_cont(array[0.5, 0.99]) within group (order by http) from stages),
                    (select percentile_cont(array[0.5, 0.99]) within group (order by relayed) from stages),
                    (select percentile_cont(array[0.5, 0.99]) within group (order by created) from stages),
                    (select array[avg(relayed), avg(created - relayed), avg(claimed), avg(http), count(*)] from tail)
            """, connection);
        command.Parameters.AddWithValue("since", since.ToUniversalTime());
        command.Parameters.AddWithValue("endpoints", endpoints.ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        string Pair(int i) => reader.IsDBNull(i) ? "n/a" : $"p50 {reader.GetFieldValue<double[]>(i)[0]:F1} / p99 {reader.GetFieldValue<double[]>(i)[1]:F1} ms";
        var tail = reader.IsDBNull(4) ? null : reader.GetFieldValue<double?[]>(4);
        string Mean(int i) => tail?[i] is { } ms ? $"{ms:F1}" : "n/a";
        return $"accepted → delivery created {Pair(3)} (of which accepted → relayed {Pair(2)}); created → first attempt {Pair(0)}; attempt (HTTP) {Pair(1)}; " +
               $"the slowest 1 % ({Mean(4)}) on average: relayed {Mean(0)}, then created {Mean(1)}, first attempt {Mean(2)}, HTTP {Mean(3)} ms";
    }
}
