using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections;
using MediatR;

namespace Integrations.Application.Connectors.Queries.ListTeamsConversations;

public sealed record TeamsConversationList(IReadOnlyList<TeamsConversationDto> Data);

/// <summary>The channels a microsoft-teams connection's bot was installed in, for a teams.bot_card route's conversation_id.</summary>
public sealed record ListTeamsConversationsQuery(Guid TenantId, Guid ConnectionId) : IQuery<TeamsConversationList>;

public sealed class ListTeamsConversationsQueryHandler(IConnectionReadModel connections, ITeamsConversations conversations)
    : IRequestHandler<ListTeamsConversationsQuery, TeamsConversationList>
{
    public const string Provider = "microsoft-teams";

    public async Task<TeamsConversationList> Handle(ListTeamsConversationsQuery request, CancellationToken cancellationToken)
    {
        var connection = await connections.FindAsync(request.TenantId, request.ConnectionId, cancellationToken) ?? throw ConnectionAggregate.NotFound();
        if (connection.Provider != Provider)
            throw new ConflictException("not_a_teams_bot_connection", $"The connection is to {connection.Provider}; channels are listed for microsoft-teams (bot) connections.");
        return new TeamsConversationList(await conversations.ListAsync(request.TenantId, request.ConnectionId, cancellationToken));
    }
}
