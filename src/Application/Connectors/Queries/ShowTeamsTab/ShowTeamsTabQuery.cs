using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections;
using Integrations.Application.Connections.Queries.ListConnections;
using Integrations.Application.Common.Listing;
using Integrations.Domain.Connectors.Teams;
using MediatR;

namespace Integrations.Application.Connectors.Queries.ShowTeamsTab;

/// <summary>What the tab shows, or why the link is refused (invalid_link, expired_link, teams_tab_not_configured).</summary>
public sealed record TeamsTabView(Guid? TenantId, IReadOnlyList<ConnectionDto> Connections, string? Refusal);

/// <summary>The Teams tab's page for the tenant its signed link names: the tenant's connections and their status.</summary>
public sealed record ShowTeamsTabQuery(string? Tenant, string? Expires, string? Signature) : IQuery<TeamsTabView>;

public sealed class ShowTeamsTabQueryHandler(TeamsTabOptions options, IConnectionReadModel connections, IClock clock) : IRequestHandler<ShowTeamsTabQuery, TeamsTabView>
{
    public async Task<TeamsTabView> Handle(ShowTeamsTabQuery request, CancellationToken cancellationToken)
    {
        if (options.Key is not { } key) return new TeamsTabView(null, [], "teams_tab_not_configured");
        var (tenant, refusal) = TeamsTabLink.Check(key, request.Tenant, request.Expires, request.Signature, clock.UtcNow);
        if (tenant is not { } tenantId) return new TeamsTabView(null, [], refusal);
        var page = await connections.ListAsync(tenantId, ListQuery.Default(ListConnectionsQuery.Spec, 100), cancellationToken);
        return new TeamsTabView(tenantId, page.Data, null);
    }
}
