using Integrations.Application.Connectors;
using Integrations.Infrastructure.Persistence;

namespace Integrations.Infrastructure.Connectors;

/// <summary><see cref="IConnectorWrites"/> on <c>connector_writes</c> (migration 0051), in the caller's transaction.</summary>
public sealed class ConnectorWrites(DbSession session) : IConnectorWrites
{
    public Task RememberAsync(Guid tenantId, Guid connectionId, Guid callId, ProviderWrite write, DateTimeOffset now, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => Sql.ExecuteAsync(connection, transaction, """
            insert into connector_writes (call_id, tenant_id, connection_id, external_type, external_id, field, value, created_at)
            values (@call_id, @tenant_id, @connection_id, @external_type, @external_id, @field, @value, @now)
            on conflict (call_id, field) do nothing
            """, ct, ("call_id", callId), ("tenant_id", tenantId), ("connection_id", connectionId), ("external_type", write.ExternalType),
            ("external_id", write.ExternalId), ("field", write.Field), ("value", write.Value), ("now", Sql.Utc(now))), ct);

    public Task SettleAsync(IReadOnlyCollection<Guid> succeeded, IReadOnlyCollection<Guid> failed, DateTimeOffset now, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => Sql.ExecuteAsync(connection, transaction, """
            update connector_writes set written_at = @now where call_id = any(@succeeded) and written_at is null;
            delete from connector_writes where call_id = any(@failed) or written_at < @expired;
            """, ct, ("succeeded", succeeded.ToArray()), ("failed", failed.ToArray()), ("now", Sql.Utc(now)),
            ("expired", Sql.Utc(now - IConnectorWrites.EchoWindow))), ct);

    public Task<bool> ConsumeAsync(Guid tenantId, Guid connectionId, ProviderWrite change, string changeId, DateTimeOffset now, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            // The oldest matching write not used up by another change; the one this change used already comes first (a redelivery).
            await using var command = Sql.Command(connection, transaction, """
                with match as (
                    select call_id, field from connector_writes
                    where tenant_id = @tenant_id and connection_id = @connection_id and external_type = @external_type and external_id = @external_id
                      and field = @field and lower(value) = lower(@value) and (echo_key is null or echo_key = @change_id)
                      and (written_at is null or written_at >= @since)
                    order by echo_key is null, created_at
                    limit 1
                    for update
                )
                update connector_writes w set echo_key = @change_id from match where w.call_id = match.call_id and w.field = match.field
                returning w.call_id
                """, ("tenant_id", tenantId), ("connection_id", connectionId), ("external_type", change.ExternalType), ("external_id", change.ExternalId),
                ("field", change.Field), ("value", change.Value), ("change_id", changeId), ("since", Sql.Utc(now - IConnectorWrites.EchoWindow)));
            return await command.ExecuteScalarAsync(ct) is Guid;
        }, ct);
}
