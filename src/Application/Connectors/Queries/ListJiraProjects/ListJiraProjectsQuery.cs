using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections;
using MediatR;

namespace Integrations.Application.Connectors.Queries.ListJiraProjects;

/// <summary>A project of the connection's Jira site, for the route editor's project picker (a jira.issue route's settings.project).</summary>
public sealed record JiraProjectDto(string Id, string Key, string Name);

/// <param name="Truncated">True when the site has more projects than one listing reads (<see cref="IJiraProjects.MaxProjects"/>).</param>
public sealed record JiraProjectList(IReadOnlyList<JiraProjectDto> Data, bool Truncated);

/// <summary>
/// Jira's "Get projects paginated" (<c>GET /project/search</c>) with the connection's credentials;
/// answers are kept briefly per connection. Implemented in Infrastructure/Providers/Jira.
/// </summary>
public interface IJiraProjects
{
    const int MaxProjects = 1000;

    /// <exception cref="ProviderCallException">Jira refused (Unauthorized for a token it no longer accepts) or failed.</exception>
    Task<JiraProjectList> ListAsync(ConnectionAccess access, CancellationToken ct);
}

/// <summary>The projects the connected user can see on the connection's Jira site, by key.</summary>
public sealed record ListJiraProjectsQuery(Guid TenantId, Guid ConnectionId) : IQuery<JiraProjectList>;

public sealed class ListJiraProjectsQueryHandler(IConnectionReadModel connections, IConnectionAccess access, IJiraProjects projects)
    : IRequestHandler<ListJiraProjectsQuery, JiraProjectList>
{
    public const string Provider = "jira";

    public async Task<JiraProjectList> Handle(ListJiraProjectsQuery request, CancellationToken cancellationToken)
    {
        var connection = await connections.FindAsync(request.TenantId, request.ConnectionId, cancellationToken) ?? throw ConnectionAggregate.NotFound();
        if (connection.Provider != Provider)
            throw new ConflictException("not_a_jira_connection", $"The connection is to {connection.Provider}; projects are listed for Jira connections.");
        var current = await access.GetAsync(request.TenantId, request.ConnectionId, cancellationToken);
        try
        {
            return await projects.ListAsync(current, cancellationToken);
        }
        catch (ProviderCallException e) when (e.Unauthorized)
        {
            // A token Jira no longer accepts: renewed once, as the runtime does for calls.
            return await projects.ListAsync(await access.RenewAsync(current, cancellationToken), cancellationToken);
        }
    }
}
