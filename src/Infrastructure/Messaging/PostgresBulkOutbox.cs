using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Persistence;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// <see cref="PostgresOutbox.EnqueueAsync"/> for a whole batch: one insert from arrays in the unit
/// of work's transaction, and one NOTIFY after it commits. Rows are inserted in the given order, so per-key
/// order is kept as the relay publishes in id order.
/// </summary>
public sealed class PostgresBulkOutbox(DbSession session) : IBulkOutbox
{
    public Task EnqueueAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken ct)
    {
        if (messages.Count == 0) return Task.CompletedTask;
        return session.RunAsync(async (connection, transaction) =>
        {
            await using var command = DbSession.Command(connection, transaction, """
                insert into outbox (message_id, topic, message_key, payload, headers, awaits_consumer)
                select * from unnest(@message_ids::uuid[], @topics::text[], @keys::text[], @payloads::text[], @headers::jsonb[], @awaits::boolean[])
                """);
            command.Parameters.AddWithValue("message_ids", messages.Select(m => m.MessageId).ToArray());
            command.Parameters.AddWithValue("topics", messages.Select(m => m.Topic).ToArray());
            command.Parameters.AddWithValue("keys", messages.Select(m => m.Key).ToArray());
            command.Parameters.AddWithValue("payloads", messages.Select(m => m.Payload).ToArray());
            command.Parameters.AddWithValue("headers", NpgsqlDbType.Array | NpgsqlDbType.Jsonb, messages.Select(m => JsonSerializer.Serialize(m.Headers)).ToArray());
            command.Parameters.AddWithValue("awaits", messages.Select(m => m.AwaitsConsumer).ToArray());
            await command.ExecuteNonQueryAsync(ct);
            session.NotifyAfterCommit(PostgresOutbox.Channel);
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
