using Integrations.Application.Connectors;
using Integrations.Domain.Connectors.Teams;
using Integrations.Infrastructure.Persistence;

namespace Integrations.Infrastructure.Providers.Teams;

/// <summary><see cref="ITeamsConversations"/> on <c>teams_conversations</c> (migration 0045).</summary>
public sealed class PostgresTeamsConversations(DbSession session) : ITeamsConversations
{
    public Task RecordAsync(Guid tenantId, Guid connectionId, TeamsConversation conversation, DateTimeOffset at, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => Sql.ExecuteAsync(connection, transaction, """
            insert into teams_conversations (tenant_id, connection_id, conversation_id, service_url, microsoft_tenant_id, team_id, name, conversation_type, installed_at)
            values (@tenant_id, @connection_id, @conversation_id, @service_url, @microsoft_tenant_id, @team_id, @name, @conversation_type, @at)
            on conflict (connection_id, conversation_id) do update set service_url = excluded.service_url, microsoft_tenant_id = excluded.microsoft_tenant_id,
                team_id = excluded.team_id, name = coalesce(excluded.name, teams_conversations.name), conversation_type = excluded.conversation_type,
                installed_at = excluded.installed_at
            where teams_conversations.tenant_id = excluded.tenant_id
            """, ct, ("tenant_id", tenantId), ("connection_id", connectionId), ("conversation_id", conversation.ConversationId), ("service_url", conversation.ServiceUrl),
            ("microsoft_tenant_id", conversation.MicrosoftTenantId), ("team_id", conversation.TeamId), ("name", conversation.Name),
            ("conversation_type", conversation.ConversationType), ("at", Sql.Utc(at))), ct);

    public Task ForgetAsync(Guid tenantId, Guid connectionId, TeamsRemoval removal, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => Sql.ExecuteAsync(connection, transaction, """
            delete from teams_conversations
            where tenant_id = @tenant_id and connection_id = @connection_id
              and (team_id = @team_id or (@team_id::text is null and conversation_id = @conversation_id))
            """, ct, ("tenant_id", tenantId), ("connection_id", connectionId), ("team_id", removal.TeamId), ("conversation_id", removal.ConversationId)), ct);

    public Task<string?> ServiceUrlAsync(Guid tenantId, Guid connectionId, string conversationId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                select service_url from teams_conversations where tenant_id = @tenant_id and connection_id = @connection_id and conversation_id = @conversation_id
                """, ("tenant_id", tenantId), ("connection_id", connectionId), ("conversation_id", conversationId));
            return await command.ExecuteScalarAsync(ct) as string;
        }, ct);

    public Task<IReadOnlyList<TeamsConversationDto>> ListAsync(Guid tenantId, Guid connectionId, CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<TeamsConversationDto>>(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                select conversation_id, name, team_id, microsoft_tenant_id, conversation_type, service_url, installed_at from teams_conversations
                where tenant_id = @tenant_id and connection_id = @connection_id order by installed_at desc, conversation_id limit 1000
                """, ("tenant_id", tenantId), ("connection_id", connectionId));
            await using var r = await command.ExecuteReaderAsync(ct);
            var list = new List<TeamsConversationDto>();
            while (await r.ReadAsync(ct))
                list.Add(new TeamsConversationDto(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
                    r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4), r.GetString(5), r.GetFieldValue<DateTimeOffset>(6)));
            return list;
        }, ct);
}
