using Integrations.Domain.Connectors.Teams;

namespace Integrations.Application.Connectors;

/// <summary>A channel a connection's bot is installed in, as the route editor lists it.</summary>
public sealed record TeamsConversationDto(string ConversationId, string? Name, string? TeamId, string? MicrosoftTenantId, string ConversationType, string ServiceUrl,
    DateTimeOffset InstalledAt);

/// <summary>The Teams channels each bot connection was installed in (table teams_conversations), per tenant.</summary>
public interface ITeamsConversations
{
    /// <summary>Records (or refreshes) an installation of the connection's bot.</summary>
    Task RecordAsync(Guid tenantId, Guid connectionId, TeamsConversation conversation, DateTimeOffset at, CancellationToken ct);

    /// <summary>Forgets where the bot was removed: every channel of the team, or the one conversation.</summary>
    Task ForgetAsync(Guid tenantId, Guid connectionId, TeamsRemoval removal, CancellationToken ct);

    /// <summary>The service URL the conversation's installation came from, or null when the bot was not installed there (as far as we know).</summary>
    Task<string?> ServiceUrlAsync(Guid tenantId, Guid connectionId, string conversationId, CancellationToken ct);

    /// <summary>The connection's channels, newest installation first (at most 1,000).</summary>
    Task<IReadOnlyList<TeamsConversationDto>> ListAsync(Guid tenantId, Guid connectionId, CancellationToken ct);
}

/// <summary>The bot's replies in a conversation (Bot Connector "reply to activity"), with the connection's token.</summary>
public interface ITeamsReplies
{
    /// <summary>
    /// Posts <paramref name="activity"/> as a reply to <paramref name="replyToId"/> at <paramref name="serviceUrl"/> (the activity's,
    /// verified and allowed); false when it could not be delivered (logged by the attempt, never thrown).
    /// </summary>
    Task<bool> ReplyAsync(Guid tenantId, Guid connectionId, Uri serviceUrl, string conversationId, string replyToId, System.Text.Json.Nodes.JsonObject activity, CancellationToken ct);
}
