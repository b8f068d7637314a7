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

public sealed class ListJiraProjectsQueryHandler(ProviderConnectionReads reads, IJiraProjects projects)
    : IRequestHandler<ListJiraProjectsQuery, JiraProjectList>
{
    public const string Provider = "jira";

    public Task<JiraProjectList> Handle(ListJiraProjectsQuery request, CancellationToken cancellationToken) =>
        reads.ReadAsync(request.TenantId, request.ConnectionId, Provider, "Jira", "projects", projects.ListAsync, cancellationToken);
}
