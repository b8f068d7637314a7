using Integrations.Api.Authentication;
using Integrations.Api.OpenApi;
using Integrations.Application.Connectors.Queries.GetTeamsAppPackage;
using Integrations.Application.Connectors.Queries.ListTeamsConversations;

namespace Integrations.Api.Endpoints;

/// <summary>What the Teams connector adds to a connection (docs/connectors/teams.md).</summary>
public static class TeamsEndpoints
{
    public static IEndpointRouteBuilder MapTeamsEndpoints(this IEndpointRouteBuilder app)
    {
        var teams = app.MapGroup("/api/v1/connections/{connectionId:guid}/teams").WithTags("Connections")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        teams.MapGet("/conversations", async (Guid connectionId, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new ListTeamsConversationsQuery(request.ResolveTenant(), connectionId))))
            .WithName("listTeamsConversations").WithSummary("List the Teams channels a bot connection was installed in")
            .WithDescription("The channels the connection's bot was added to (recorded from the Bot Connector's conversationUpdate and installationUpdate " +
                             "activities on the bot's messaging endpoint), newest first, at most 1,000: conversation_id is a teams.bot_card route's settings.conversation_id.")
            .Produces<TeamsConversationList>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "connection_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "not_a_teams_bot_connection");

        teams.MapGet("/app-package", async (Guid connectionId, [AsParameters] TenantRequest request) =>
            {
                var package = await request.Send(new GetTeamsAppPackageQuery(request.ResolveTenant(), connectionId, ConnectionEndpoints.CallbackBase(request.Http)));
                request.Http.Response.Headers.CacheControl = "no-store";
                return Results.File(package.Zip, "application/zip", package.FileName);
            })
            .WithName("getTeamsAppPackage").WithSummary("Download the Teams app package for a bot connection")
            .WithDescription("A zip to upload to Teams (Apps → Manage your apps → Upload an app): manifest.json (schema 1.19) naming the connection's bot " +
                             "and a static tab with this tenant's signed status page (valid for Providers:microsoft-teams:Tab:LinkLifetime), and the icons " +
                             "color.png (192×192) and outline.png (32×32). The link inside is a bearer of the tenant's status page: share the package like a secret.")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip")
            .ProducesError(StatusCodes.Status404NotFound, "connection_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "not_a_teams_bot_connection", "connection_unusable", "teams_tab_not_configured");
        return app;
    }
}
