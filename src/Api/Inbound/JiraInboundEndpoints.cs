using Integrations.Api.Errors;
using Integrations.Application.Connectors.Commands.HandleJiraWebhook;
using MediatR;

namespace Integrations.Api.Inbound;

/// <summary>
/// A Jira connection's webhook URL (docs/connectors/jira.md#the-way-back-jira--product): the dynamic webhook registered
/// for the connection points here, so the URL names the tenant and the connection and the payload is never
/// trusted to route. Anonymous: the JWT Atlassian signs with the app's client secret is the credential.
/// </summary>
public static class JiraInboundEndpoints
{
    public static IEndpointRouteBuilder MapJiraInbound(this IEndpointRouteBuilder app)
    {
        app.MapPost("/inbound/jira/{tenantId:guid}/{connectionId:guid}", async (Guid tenantId, Guid connectionId, HttpContext http, IMediator mediator) =>
        {
            var request = await SlackInboundEndpoints.ReadAsync(http);
            switch (await mediator.Send(new HandleJiraWebhookCommand(tenantId, connectionId, request), http.RequestAborted))
            {
                case JiraWebhookOutcome.NotFound:
                    await ApiErrors.WriteAsync(http, StatusCodes.Status404NotFound, "inbound_target_not_found", "There is no such Jira connection, or Jira is not configured on this platform.");
                    break;
                case JiraWebhookOutcome.Rejected rejected:
                    await ApiErrors.WriteAsync(http, StatusCodes.Status401Unauthorized, rejected.Reason, "The request is not signed by the Jira app (a bearer JWT, HS256 with the client secret), or its token expired.");
                    break;
                case JiraWebhookOutcome.Handled handled:
                    await http.Response.WriteAsJsonAsync(new { received = true, command_id = handled.CommandId }, http.RequestAborted);
                    break;
            }
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
