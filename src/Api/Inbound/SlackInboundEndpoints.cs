using Integrations.Api.Errors;
using Integrations.Application.Connectors;
using Integrations.Application.Connectors.Commands.HandleSlackInteraction;
using Integrations.Application.Connectors.Commands.RecordSlackUninstall;
using Integrations.Application.Connectors.Queries.AnswerSlackCommand;
using Integrations.Application.Inbound;
using Integrations.Domain.Inbound;
using MediatR;

namespace Integrations.Api.Inbound;

/// <summary>
/// Slack's own URLs (docs/connectors/slack.md): interactivity (button clicks, answered within
/// Slack's 3 seconds once the product commands they become are committed), the slash command
/// (answered from the entity read model) and events (uninstalls recorded, then the inbound
/// receiver). All signed with the app's signing secret. Anonymous: the signature is the credential.
/// </summary>
public static class SlackInboundEndpoints
{
    public static IEndpointRouteBuilder MapSlackInbound(this IEndpointRouteBuilder app)
    {
        app.MapPost("/inbound/slack/interactivity", async (HttpContext http, IMediator mediator) =>
            await AnswerAsync(http, await mediator.Send(new HandleSlackInteractionCommand(await ReadAsync(http)), http.RequestAborted)))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/inbound/slack/commands", async (HttpContext http, IMediator mediator) =>
            await AnswerAsync(http, await mediator.Send(new AnswerSlackCommandQuery(await ReadAsync(http)), http.RequestAborted)))
            .AllowAnonymous().ExcludeFromDescription();

        // Slack's Events API: app_uninstalled / tokens_revoked disconnect the workspace's connections first;
        // then every event (and the url_verification handshake) goes on to the inbound receiver as on /inbound/slack.
        app.MapPost("/inbound/slack/events", async (HttpContext http, IMediator mediator) =>
        {
            http.Request.EnableBuffering();
            await mediator.Send(new RecordSlackUninstallCommand(await ReadAsync(http)), http.RequestAborted);
            http.Request.Body.Position = 0;
            await InboundReceiverEndpoints.ReceiveAsync(new InboundTarget(SlackRequests.Provider, null), http, mediator);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>The raw request as the verifier needs it (the signature covers the exact bytes).</summary>
    internal static async Task<InboundRequest> ReadAsync(HttpContext http)
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        http.Response.Headers.CacheControl = "no-store";
        return new InboundRequest(http.Request.Method, http.Request.Path, headers, body.ToArray());
    }

    /// <summary>Slack wants a 200 within 3 s: empty (a click leaves the message as it is) or the message to show; else the documented error.</summary>
    private static async Task AnswerAsync(HttpContext http, SlackRequestOutcome outcome)
    {
        switch (outcome)
        {
            case SlackRequestOutcome.NotConfigured:
                await ApiErrors.WriteAsync(http, StatusCodes.Status404NotFound, "inbound_target_not_found", "Slack's interactivity and command URLs are not configured on this platform.");
                break;
            case SlackRequestOutcome.Rejected rejected:
                await ApiErrors.WriteAsync(http, StatusCodes.Status401Unauthorized, rejected.Reason, "The request is not signed by the Slack app, or is too old.");
                break;
            case SlackRequestOutcome.Handled { Message: { } message }:
                http.Response.ContentType = "application/json; charset=utf-8";
                await http.Response.WriteAsync(message.ToJsonString(), http.RequestAborted);
                break;
            default:
                http.Response.StatusCode = StatusCodes.Status200OK;
                break;
        }
    }
}
