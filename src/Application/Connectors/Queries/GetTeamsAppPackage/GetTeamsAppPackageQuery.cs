using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Connections;
using Integrations.Domain.Connectors.Teams;
using MediatR;

namespace Integrations.Application.Connectors.Queries.GetTeamsAppPackage;

public sealed record TeamsAppPackage(byte[] Zip, string FileName);

/// <summary>
/// The Teams app (manifest.json with the connection's bot and the tenant's signed tab link, and the
/// icons) as the zip a tenant uploads to Teams.
/// </summary>
/// <param name="PublicBaseUrl">The platform's public base URL (the tab's host).</param>
public sealed record GetTeamsAppPackageQuery(Guid TenantId, Guid ConnectionId, string PublicBaseUrl) : IQuery<TeamsAppPackage>;

public sealed class GetTeamsAppPackageQueryHandler(IConnectionReadModel connections, TeamsTabOptions options, ITeamsAppPackager packager, IClock clock)
    : IRequestHandler<GetTeamsAppPackageQuery, TeamsAppPackage>
{
    public async Task<TeamsAppPackage> Handle(GetTeamsAppPackageQuery request, CancellationToken cancellationToken)
    {
        var connection = await connections.FindAsync(request.TenantId, request.ConnectionId, cancellationToken) ?? throw ConnectionAggregate.NotFound();
        if (connection.Provider != ListTeamsConversations.ListTeamsConversationsQueryHandler.Provider)
            throw new ConflictException("not_a_teams_bot_connection", $"The connection is to {connection.Provider}; the Teams app is made for microsoft-teams (bot) connections.");
        if (connection.Account?.Id is not { } botAppId)
            throw new ConflictException("connection_unusable", "The connection has no bot yet: connect it first.");
        if (options.Key is not { } key)
            throw new ConflictException("teams_tab_not_configured", $"The operator has not set {TeamsTabOptions.Section}:SigningKey (at least 32 characters).");
        var baseUrl = new Uri(request.PublicBaseUrl.TrimEnd('/') + "/", UriKind.Absolute);
        var tabUrl = new Uri(baseUrl, TeamsTabLink.Path.TrimStart('/') + "?" + TeamsTabLink.Query(key, request.TenantId, clock.UtcNow + options.LinkLifetime));
        var manifest = TeamsAppManifest.Build(new TeamsAppFacts(botAppId, options.AppName, tabUrl.AbsoluteUri, baseUrl.AbsoluteUri, baseUrl.Authority));
        return new TeamsAppPackage(packager.Package(manifest), "teams-app.zip");
    }
}
