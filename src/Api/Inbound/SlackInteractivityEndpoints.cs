using Integrations.Api.Errors;
using Integrations.Application.Connectors.Commands.HandleSlackInteraction;
using Integrations.Domain.Inbound;
using MediatR;

namespace Integrations.Api.Inbound;

/// <summary>
/// Slack's interactivity request URL (docs/connectors/slack.md): button clicks on our messages,
/// signed with the app's signing secret like its events, answered within Slack's 3 seconds once the
/// product commands they become are committed. Anonymous: the signature is the credential.
/// </summary>
public static class SlackInteractivityEndpoints
{
    public static IEndpointRouteBuilder MapSlackInteractivity(this IEndpointRouteBuilder app)
    {
        app.MapPost("/inbound/slack/interactivity", async (HttpContext http, IMediator mediator) =>
        {
            var ct = http.RequestAborted;
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, ct);
            var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var request = new InboundRequest(http.Request.Method, http.Request.Path, headers, body.ToArray());
            http.Response.Headers.CacheControl = "no-store";
            switch (await mediator.Send(new HandleSlackInteractionCommand(request), ct))
            {
                case SlackInteractionOutcome.NotConfigured:
                    await ApiErrors.WriteAsync(http, StatusCodes.Status404NotFound, "inbound_target_not_found", "Slack's interactivity URL is not configured on this platform.");
                    break;
                case SlackInteractionOutcome.Rejected rejected:
                    await ApiErrors.WriteAsync(http, StatusCodes.Status401Unauthorized, rejected.Reason, "The request is not signed by the Slack app, or is too old.");
                    break;
                default:
                    // Slack wants a 200 within 3 s; an empty body leaves the message as it is.
                    http.Response.StatusCode = StatusCodes.Status200OK;
                    break;
            }
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
