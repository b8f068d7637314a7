using Integrations.Api.Authentication;
using Integrations.Api.OpenApi;
using Integrations.Application.Connectors.Queries.ListSlackChannels;

namespace Integrations.Api.Endpoints;

/// <summary>What the Slack connector adds to a connection (docs/connectors/slack.md).</summary>
public static class SlackEndpoints
{
    public static IEndpointRouteBuilder MapSlackEndpoints(this IEndpointRouteBuilder app)
    {
        var slack = app.MapGroup("/api/v1/connections/{connectionId:guid}/slack").WithTags("Connections")
            .RequireAuthorization(AuthenticationExtensions.TenantOrAdminPolicy).WithAccess("tenant_or_admin");

        slack.MapGet("/channels", async (Guid connectionId, [AsParameters] TenantRequest request) =>
                Results.Ok(await request.Send(new ListSlackChannelsQuery(request.ResolveTenant(), connectionId))))
            .WithName("listSlackChannels").WithSummary("List a Slack connection's channels")
            .WithDescription("The workspace's public channels (not archived) by name, from Slack's conversations.list, for a slack.message route's " +
                             "settings.channel. is_member says whether the app's bot is in the channel (it must be, to post). Kept for 60 s; at most 2,000 (truncated says so).")
            .Produces<SlackChannelList>(StatusCodes.Status200OK)
            .ProducesError(StatusCodes.Status404NotFound, "connection_not_found", "tenant_not_found")
            .ProducesError(StatusCodes.Status409Conflict, "not_a_slack_connection", "connection_unusable")
            .ProducesError(StatusCodes.Status502BadGateway, "provider_error");
        return app;
    }
}
