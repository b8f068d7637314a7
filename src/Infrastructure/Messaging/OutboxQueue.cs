using Npgsql;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// An outbox row as the relay publishes it: one message, or a bundle's messages in order
/// (migration 0018). <paramref name="HeadersJson"/>[i] belongs to <paramref name="Payloads"/>[i].
/// </summary>
internal sealed record OutboxRow(long Id, string Topic, string Key, string[] Payloads, string[] HeadersJson);

/// <summary>A row Kafka acknowledged, and where it landed (unknown only if the report lacked it).</summary>
internal sealed record PublishedRow(long Id, int? Partition, long? Offset);

/// <summary>The relay's view of the outbox table: what to publish next, and the verdicts.</summary>
internal sealed class OutboxQueue(NpgsqlDataSource dataSource)
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Due rows in id (commit) order, after <paramref name="afterId"/>, with at most
    /// <paramref name="limit"/> messages in all unless the first row alone has more. A row whose key has an
    /// older row backing off is left out: it would overtake that row on the topic. Only unpublished
    /// rows have failures counted (publishing resets the count), and the check says no more than
    /// that so only outbox_backing_off_idx can serve it (migration 0012).
    /// </summary>
    public async Task<IReadOnlyList<OutboxRow>> NextBatchAsync(int limit, long afterId, CancellationToken ct)
    {
        // Every published row leaves a dead entry in outbox_unpublished_idx until vacuum, and under
        // load that is thousands (autovacuum looks at most once a minute). A bitmap scan, which the
        // planner prefers while its statistics say the queue is small, visits each dead entry's heap
        // page on every round: about 600 pages for a handful of rows in the webhook benchmark. A
        // plain index scan marks the entries it finds dead, so the next round skips them.
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("set local enable_bitmapscan = off"));
        // Rows until the messages reach the limit (a bundle counts its messages, migration 0018),
        // at least one: the round's memory stays bounded however large the bundles are.
        var select = new NpgsqlBatchCommand("""
            select id, topic, message_key, payload, headers, bundle_payloads, bundle_headers
            from (
                select o.id, o.topic, o.message_key, o.payload, o.headers::text as headers, o.bundle_payloads, o.bundle_headers,
                       sum(coalesce(cardinality(o.bundle_payloads), 1)) over (order by o.id) - coalesce(cardinality(o.bundle_payloads), 1) as messages_before
                from outbox o
                where o.published_at is null and o.id > @after and o.next_attempt_at <= now()
                  and not exists (
                      select 1 from outbox b
                      where b.failure_count > 0
                        and b.topic = o.topic and b.message_key = o.message_key and b.id < o.id
                        and b.next_attempt_at > now())
                order by o.id
                limit @limit
            ) due
            where messages_before < @limit
            order by id
            """);
        select.Parameters.AddWithValue("limit", limit);
        select.Parameters.AddWithValue("after", afterId);
        batch.BatchCommands.Add(select);
        var rows = new List<OutboxRow>();
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            // The SET returns no rows, so the reader starts at the select's.
            while (await reader.ReadAsync(ct))
            {
                var bundle = !reader.IsDBNull(5);
                var payloads = bundle ? reader.GetFieldValue<string[]>(5) : [reader.GetString(3)];
                var headers = bundle ? reader.GetFieldValue<string[]>(6) : [reader.GetString(4)];
                rows.Add(new OutboxRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), payloads, headers));
            }
        }
        await transaction.CommitAsync(ct);
        return rows;
    }

    /// <summary>
    /// Records where each row landed (the sweeper compares it with the consumer group's committed
    /// offset). A row no platform consumer awaits is done once Kafka has it, so it is deleted: an
    /// update would write a new version of the row and of three index entries for a row nothing
    /// reads again, and the row would then wait for Outbox:RetentionPeriod to be deleted anyway.
    /// </summary>
    public async Task MarkPublishedAsync(IReadOnlyList<PublishedRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        await using var command = dataSource.CreateCommand("""
            with locked as (select id, awaits_consumer from outbox where id = any(@ids) order by id for update),
            done as (delete from outbox o using locked where o.id = locked.id and not locked.awaits_consumer)
            update outbox o
            set published_at = now(), publish_count = publish_count + 1, failure_count = 0, last_error = null,
                kafka_partition = p.partition, kafka_offset = p.kafka_offset
            from unnest(@ids, @partitions, @offsets) as p(id, partition, kafka_offset), locked
            where o.id = p.id and o.id = locked.id and locked.awaits_consumer
            """);
        command.Parameters.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
        command.Parameters.AddWithValue("partitions", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Integer, rows.Select(r => r.Partition).ToArray());
        command.Parameters.AddWithValue("offsets", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint, rows.Select(r => r.Offset).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Backs off exponentially per row: 0.5 s, 1 s, 2 s ... up to <paramref name="maxDelay"/>.</summary>
    public async Task MarkFailedAsync(IReadOnlyList<long> ids, string error, TimeSpan maxDelay, CancellationToken ct)
    {
        if (ids.Count == 0) return;
        await using var command = dataSource.CreateCommand("""
            update outbox
            set failure_count = failure_count + 1, last_error = @error,
                next_attempt_at = now() + least(@max_delay, @first_delay * power(2, least(failure_count, 20)))
            where id = any(@ids)
            """);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        command.Parameters.AddWithValue("error", error);
        command.Parameters.AddWithValue("first_delay", FirstRetryDelay);
        command.Parameters.AddWithValue("max_delay", maxDelay);
        await command.ExecuteNonQueryAsync(ct);
    }
}
