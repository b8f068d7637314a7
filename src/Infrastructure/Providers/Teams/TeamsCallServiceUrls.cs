using Integrations.Application.Connections;
using Integrations.Application.Connectors;
using Integrations.Application.Connectors.Pipelines.Calls;
using Integrations.Domain.Connectors.Teams;
using Microsoft.Extensions.Logging;

namespace Integrations.Infrastructure.Providers.Teams;

/// <summary>
/// <see cref="ICallServiceUrls"/> for the bot: a <c>teams.bot_card</c> post goes to the service URL the
/// bot's installation in that conversation came from (teams_conversations), as Microsoft asks of
/// proactive messages, when it is still allowed (<see cref="BotServiceUrl"/>). A conversation we never
/// saw an installation of goes to the configured Bot Connector base, as before.
/// </summary>
public sealed class TeamsCallServiceUrls(ITeamsConversations conversations, ILogger<TeamsCallServiceUrls> logger) : ICallServiceUrls
{
    private const string Prefix = "/v3/conversations/";

    public async Task<Uri?> BaseUrlAsync(ClaimedCall call, ConnectionAccess access, CancellationToken ct)
    {
        if (call.Action != TeamsProviders.BotCardAction || call.Request.Path is not { } path || !path.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var end = path.IndexOf('/', Prefix.Length);
        var conversationId = Uri.UnescapeDataString(end < 0 ? path[Prefix.Length..] : path[Prefix.Length..end]);
        if (await conversations.ServiceUrlAsync(call.TenantId, call.ConnectionId, conversationId, ct) is not { } recorded) return null;
        if (BotServiceUrl.Allowed(recorded, access.Provider) is { } allowed) return allowed;
        logger.LogWarning("Teams call {CallId}: the conversation's recorded service URL is not on an allowed host; the configured base is used", call.Id);
        return null;
    }
}
