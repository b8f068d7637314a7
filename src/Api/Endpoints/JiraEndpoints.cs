using Integrations.Api.Authentication;
using Integrations.Api.OpenApi;
using Integrations.Application.Connectors.Queries.ListJiraProjects;

namespace Integrations.Api.Endpoints;

/// <summary>What the Jira connector adds to a connection (docs/connectors/jira.md).</summary>
public static class JiraEndpoints
{
    public static IEndpointRouteBuilder MapJiraEndpoints(this IEndpointRouteBuilder app)
    {
        var jira = app.MapGroup("/api/v1/connections/{connectionId:guid}/jira").WithTags("Connections")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        jira.MapGet("/projects", async (Guid connectionId, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new ListJiraProjectsQuery(request.ResolveTenant(), connectionId))))
            .WithName("listJiraProjects").WithSummary("List a Jira connection's projects")
            .WithDescription("The projects the connected user can see on the connection's Jira site, by key, from Jira's project search, for a jira.issue route's " +
                             "settings.project. Kept for 60 s; at most 1,000 (truncated says so).")
            .Produces<JiraProjectList>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "connection_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "not_a_jira_connection", "connection_unusable")
            .ProducesError(StatusCodes.Status502BadGateway, "provider_error");
        return app;
    }
}
