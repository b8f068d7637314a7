using Integrations.Api.Errors;
using Integrations.Application.Connectors.Commands.ReceiveTeamsActivity;
using MediatR;

namespace Integrations.Api.Inbound;

/// <summary>
/// The Teams bot's messaging endpoint (docs/connectors/teams.md): the URL pasted into the Azure Bot
/// resource. Anonymous: the Bot Connector's JWT is the credential. A refused token is 401 (as
/// Microsoft asks of bots), a verified activity 200 with an empty body (installations are recorded first).
/// </summary>
public static class TeamsInboundEndpoints
{
    public const string MessagesPath = "/inbound/microsoft-teams/messages";

    public static IEndpointRouteBuilder MapTeamsInbound(this IEndpointRouteBuilder app)
    {
        app.MapPost(MessagesPath, async (HttpContext http, IMediator mediator) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, http.RequestAborted);
            http.Response.Headers.CacheControl = "no-store";
            var outcome = await mediator.Send(new ReceiveTeamsActivityCommand(http.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null, body.ToArray()),
                http.RequestAborted);
            switch (outcome)
            {
                case TeamsActivityOutcome.Rejected rejected:
                    http.Response.Headers.WWWAuthenticate = "Bearer";
                    await ApiErrors.WriteAsync(http, StatusCodes.Status401Unauthorized, rejected.Reason, "The request does not carry a valid Bot Connector token for a bot connected here.");
                    break;
                case TeamsActivityOutcome.Invalid invalid:
                    await ApiErrors.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_activity", invalid.Message);
                    break;
                default:
                    http.Response.StatusCode = StatusCodes.Status200OK;
                    break;
            }
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
