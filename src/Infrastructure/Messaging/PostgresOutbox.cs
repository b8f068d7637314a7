using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// The outbox table (migration 0003): a batch of messages in one round trip in the unit of work's
/// transaction, and one NOTIFY after it commits. Messages no platform consumer awaits that
/// share a topic and key go into one bundle row (migration 0018), in the given order; the others
/// get a row each, inserted in the given order. Per-key order is kept either way: the relay
/// publishes rows in id order and a bundle's messages in theirs.
/// </summary>
public sealed class PostgresOutbox(DbSession session) : IOutbox
{
    /// <summary>The channel the relay listens on, notified after the inserting transaction commits (<see cref="PostgresNotifier"/>).</summary>
    public const string Channel = "outbox";

    public Task EnqueueAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken ct)
    {
        if (messages.Count == 0) return Task.CompletedTask;
        var (rows, bundles) = OutboxBundles.Split(messages);
        return session.RunAsync(async (connection, transaction) =>
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            if (rows.Count > 0)
            {
                var insert = new NpgsqlBatchCommand("""
                    insert into outbox (message_id, topic, message_key, payload, headers, awaits_consumer)
                    select * from unnest(@message_ids::uuid[], @topics::text[], @keys::text[], @payloads::text[], @headers::jsonb[], @awaits::boolean[])
                    """);
                insert.Parameters.AddWithValue("message_ids", rows.Select(m => m.MessageId).ToArray());
                insert.Parameters.AddWithValue("topics", rows.Select(m => m.Topic).ToArray());
                insert.Parameters.AddWithValue("keys", rows.Select(m => m.Key).ToArray());
                insert.Parameters.AddWithValue("payloads", rows.Select(m => m.Payload).ToArray());
                insert.Parameters.AddWithValue("headers", NpgsqlDbType.Array | NpgsqlDbType.Jsonb, rows.Select(m => JsonSerializer.Serialize(m.Headers)).ToArray());
                insert.Parameters.AddWithValue("awaits", rows.Select(m => m.AwaitsConsumer).ToArray());
                batch.BatchCommands.Add(insert);
            }
            // Arrays of arrays must be rectangular in PostgreSQL, so each bundle is a statement of its own (same round trip).
            foreach (var bundle in bundles)
            {
                var insert = new NpgsqlBatchCommand("""
                    insert into outbox (message_id, topic, message_key, payload, headers, awaits_consumer, bundle_payloads, bundle_headers)
                    values (@message_id, @topic, @key, '', '{}', false, @payloads, @headers)
                    """);
                insert.Parameters.AddWithValue("message_id", Guid.CreateVersion7());
                insert.Parameters.AddWithValue("topic", bundle[0].Topic);
                insert.Parameters.AddWithValue("key", bundle[0].Key);
                insert.Parameters.AddWithValue("payloads", bundle.Select(m => m.Payload).ToArray());
                insert.Parameters.AddWithValue("headers", bundle.Select(m => JsonSerializer.Serialize(m.Headers)).ToArray());
                batch.BatchCommands.Add(insert);
            }
            await batch.ExecuteNonQueryAsync(ct);
            session.NotifyAfterCommit(Channel);
        }, ct);
    }

    /// <summary>
    /// Also marks unpublished rows published: a consumer completing one handled an earlier copy (the
    /// sweeper had queued it again), so publishing it once more would be wasted.
    /// Rows are locked in id order, like the relay's marking them published: a consumer can complete
    /// a round before the relay has recorded it, and two orders of the same rows would deadlock.
    /// </summary>
    public Task MarkCompletedAsync(IReadOnlyList<Guid> messageIds, CancellationToken ct)
    {
        if (messageIds.Count == 0) return Task.CompletedTask;
        return session.RunAsync(async (connection, transaction) =>
        {
            await using var command = DbSession.Command(connection, transaction, """
                with locked as (select id from outbox where message_id = any(@message_ids) and completed_at is null order by id for update)
                update outbox o set completed_at = now(), published_at = coalesce(o.published_at, now()), failure_count = 0
                from locked where o.id = locked.id
                """);
            command.Parameters.AddWithValue("message_ids", messageIds.ToArray());
            await command.ExecuteNonQueryAsync(ct);
        }, ct);
    }
}
