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
///
/// The query walks the followed endpoints' delivery log rows since the phase began and finds each
/// delivery's event, outbox row and first attempt by key, one index probe each: the events'
/// primary key, the outbox's message_id, and Marten's (tenant_id, stream_id, version) index of the
/// delivery stream, first WebhookAttemptMade in stream order. Each lookup is a lateral subquery the planner
/// cannot flatten (OFFSET 0, LIMIT 1), so the plan stays that whatever its estimates. It used to
/// join the tables freely with the JSON filters in the join: PostgreSQL estimated their outcome at
/// a row or so and joined events by scanning that table once per delivery (EXPLAIN on a database
/// of 6,000 deliveries and 1.5 million es_events: 18 million rows compared, 5.9 s; this query
/// 0.1 s); a benchmark phase has more of both, and on a slower machine it ran into Npgsql's 30 s
/// command timeout and ended the run. A diagnostic: it runs with <see cref="Diagnostics"/>'
/// timeout, and a failure reads "n/a (reason)".
/// </summary>
public static class Stages
{
    public static Task<string> DescribeAsync(string connectionString, DateTimeOffset since, IReadOnlyList<Guid> endpoints) =>
        Diagnostics.TryAsync(() => QueryAsync(connectionString, since, endpoints));

    private static async Task<string> QueryAsync(string connectionString, DateTimeOffset since, IReadOnlyList<Guid> endpoints)
    {
        await using var connection = await Diagnostics.OpenAsync(connectionString);
        // A delivery of an event accepted since then was created since then too (one clock, the
        // machine's): the created_at bound loses none and lets the (endpoint_id, created_at) index serve.
        await using var command = new NpgsqlCommand(Statements.Marker + """
             with stages as (
                 select extract(epoch from o.published_at - e."timestamp") * 1000 as relayed,
                        extract(epoch from d.created_at - e."timestamp") * 1000 as created,
                        extract(epoch from (a.data->>'started_at')::timestamptz - d.created_at) * 1000 as claimed,
                        (a.data->>'duration_ms')::int as http
                 from webhook_deliveries d
                 cross join lateral (select e."timestamp" from events e where e.id = d.event_id offset 0) e
                 left join lateral (select o.published_at from outbox o where o.message_id = d.event_id offset 0) o on true
                 cross join lateral (
                     select x.data from marten.mt_events x
                     where x.tenant_id = d.tenant_id::text and x.stream_id = 'webhook_delivery-' || replace(d.id::text, '-', '')
                       and x.type = 'WebhookAttemptMade'
                     order by x.version
                     limit 1) a
                 where d.endpoint_id = any(@endpoints) and d.created_at >= @since and e."timestamp" >= @since
                   and (a.data->>'attempt')::int = 1 and (a.data->>'status_code')::int = 200),
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
