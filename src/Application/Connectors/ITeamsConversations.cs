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

    /// <summary>The connection's channels, newest installation first (at most 1,000).</summary>
    Task<IReadOnlyList<TeamsConversationDto>> ListAsync(Guid tenantId, Guid connectionId, CancellationToken ct);
}
