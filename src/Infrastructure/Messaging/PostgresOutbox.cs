using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Infrastructure.Persistence;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Messaging;

/// <summary>
/// The outbox table (migration 0003). Writes join the unit of work's transaction, so a message
/// exists exactly when the events it announces do.
/// </summary>
public sealed class PostgresOutbox(DbSession session) : IOutbox
{
    /// <summary>The channel the relay listens on, notified after the inserting transaction commits (<see cref="PostgresNotifier"/>).</summary>
    public const string Channel = "outbox";

    public Task EnqueueAsync(OutboxMessage message, CancellationToken ct) => session.RunAsync(async (connection, transaction) =>
    {
        await using var command = DbSession.Command(connection, transaction, """
            insert into outbox (message_id, topic, message_key, payload, headers, awaits_consumer)
            values (@message_id, @topic, @message_key, @payload, @headers, @awaits_consumer)
            """);
        command.Parameters.AddWithValue("message_id", message.MessageId);
        command.Parameters.AddWithValue("topic", message.Topic);
        command.Parameters.AddWithValue("message_key", message.Key);
        command.Parameters.AddWithValue("payload", message.Payload);
        command.Parameters.AddWithValue("headers", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(message.Headers));
        command.Parameters.AddWithValue("awaits_consumer", message.AwaitsConsumer);
        await command.ExecuteNonQueryAsync(ct);
        session.NotifyAfterCommit(Channel);
    }, ct);
}
