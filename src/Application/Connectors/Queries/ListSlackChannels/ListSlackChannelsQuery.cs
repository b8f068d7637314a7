using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections;
using MediatR;

namespace Integrations.Application.Connectors.Queries.ListSlackChannels;

/// <summary>A channel of the connection's Slack workspace, for the route editor's channel picker.</summary>
/// <param name="IsMember">Whether the app's bot is in it: chat.postMessage to a channel it is not in fails (not_in_channel).</param>
public sealed record SlackChannelDto(string Id, string Name, bool IsPrivate, bool IsArchived, bool IsMember);

/// <param name="Truncated">True when the workspace has more channels than one listing reads (<see cref="ISlackChannels.MaxChannels"/>).</param>
public sealed record SlackChannelList(IReadOnlyList<SlackChannelDto> Data, bool Truncated);

/// <summary>
/// The Slack Web API calls behind the route editor (conversations.list, cursor-paginated), with the
/// connection's credentials; answers are kept briefly per connection. Implemented in Infrastructure/Providers/Slack.
/// </summary>
public interface ISlackChannels
{
    const int MaxChannels = 2000;

    /// <exception cref="ProviderCallException">Slack refused (ok:false; Unauthorized for a token it no longer accepts) or failed.</exception>
    Task<SlackChannelList> ListAsync(ConnectionAccess access, CancellationToken ct);
}

/// <summary>The public channels (not archived) of a Slack connection's workspace, by name.</summary>
public sealed record ListSlackChannelsQuery(Guid TenantId, Guid ConnectionId) : IQuery<SlackChannelList>;

public sealed class ListSlackChannelsQueryHandler(ProviderConnectionReads reads, ISlackChannels channels)
    : IRequestHandler<ListSlackChannelsQuery, SlackChannelList>
{
    public const string Provider = "slack";

    public Task<SlackChannelList> Handle(ListSlackChannelsQuery request, CancellationToken cancellationToken) =>
        reads.ReadAsync(request.TenantId, request.ConnectionId, Provider, "Slack", "channels", channels.ListAsync, cancellationToken);
}
