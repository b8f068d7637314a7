using Integrations.Api.Errors;
using Integrations.Application.Connectors.Commands.HandleHubSpotWebhook;
using Integrations.Domain.Inbound;
using MediatR;

namespace Integrations.Api.Inbound;

/// <summary>
/// The HubSpot app's webhook target URL (docs/connectors/hubspot.md#the-way-back-hubspot--product): HubSpot has one per app,
/// so the batch's events name their portals and the handler finds each portal's connections. Anonymous: the v3
/// signature with the app's client secret is the credential. It takes the place of the generic receiver's
/// <c>/inbound/hubspot</c> (a literal route wins over <c>/inbound/{provider}</c>).
/// </summary>
public static class HubSpotInboundEndpoints
{
    public static IEndpointRouteBuilder MapHubSpotInbound(this IEndpointRouteBuilder app)
    {
        app.MapPost("/inbound/hubspot", async (HttpContext http, IMediator mediator) =>
        {
            var read = await SlackInboundEndpoints.ReadAsync(http);
            // HubSpot signs the URI it called: behind a proxy, the configured public base URL.
            var request = read with { Url = InboundReceiverEndpoints.PublicUrl(http) };
            switch (await mediator.Send(new HandleHubSpotWebhookCommand(request), http.RequestAborted))
            {
                case HubSpotWebhookOutcome.NotConfigured:
                    await ApiErrors.WriteAsync(http, StatusCodes.Status404NotFound, "inbound_target_not_found", "HubSpot is not configured on this platform.");
                    break;
                case HubSpotWebhookOutcome.Rejected rejected:
                    await ApiErrors.WriteAsync(http, StatusCodes.Status401Unauthorized, rejected.Reason,
                        "The request is not signed by the HubSpot app (X-HubSpot-Signature-v3 with its client secret), or its timestamp is older than 5 minutes.");
                    break;
                case HubSpotWebhookOutcome.Malformed:
                    await ApiErrors.WriteAsync(http, StatusCodes.Status400BadRequest, RejectionReasons.MalformedBody,
                        "The body is not a JSON array of at most 100 HubSpot webhook events.");
                    break;
                case HubSpotWebhookOutcome.Handled handled:
                    await http.Response.WriteAsJsonAsync(new { received = true, command_ids = handled.CommandIds }, http.RequestAborted);
                    break;
            }
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
