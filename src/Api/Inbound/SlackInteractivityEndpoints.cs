using Integrations.Api.Errors;
using Integrations.Application.Connectors.Commands.HandleSlackInteraction;
using Integrations.Application.Connectors.Commands.RecordSlackUninstall;
using Integrations.Application.Connectors.Queries.AnswerSlackCommand;
using Integrations.Application.Inbound;
using Integrations.Domain.Inbound;
using MediatR;

namespace Integrations.Api.Inbound;

/// <summary>
/// Slack's interactivity request URL (button clicks on our messages: answered within Slack's 3
/// seconds once the product commands they become are committed) and slash command URL (answered
/// from the entity read model), docs/connectors/slack.md. Both are signed with the app's signing
/// secret like its events. Anonymous: the signature is the credential.
/// </summary>
public static class SlackInteractivityEndpoints
{
    public static IEndpointRouteBuilder MapSlackInteractivity(this IEndpointRouteBuilder app)
    {
        app.MapPost("/inbound/slack/interactivity", async (HttpContext http, IMediator mediator) =>
        {
            switch (await mediator.Send(new HandleSlackInteractionCommand(await ReadAsync(http)), http.RequestAborted))
            {
                case SlackInteractionOutcome.NotConfigured:
                    await NotConfiguredAsync(http);
                    break;
                case SlackInteractionOutcome.Rejected rejected:
                    await RejectedAsync(http, rejected.Reason);
                    break;
                default:
                    // Slack wants a 200 within 3 s; an empty body leaves the message as it is.
                    http.Response.StatusCode = StatusCodes.Status200OK;
                    break;
            }
        }).AllowAnonymous().ExcludeFromDescription();

        app.MapPost("/inbound/slack/commands", async (HttpContext http, IMediator mediator) =>
        {
            switch (await mediator.Send(new AnswerSlackCommandQuery(await ReadAsync(http)), http.RequestAborted))
            {
                case SlackCommandOutcome.NotConfigured:
                    await NotConfiguredAsync(http);
                    break;
                case SlackCommandOutcome.Rejected rejected:
                    await RejectedAsync(http, rejected.Reason);
                    break;
                case SlackCommandOutcome.Answered answered:
                    http.Response.ContentType = "application/json; charset=utf-8";
                    await http.Response.WriteAsync(answered.Message.ToJsonString(), http.RequestAborted);
                    break;
            }
        }).AllowAnonymous().ExcludeFromDescription();
        // Slack's Events API: app_uninstalled / tokens_revoked disconnect the workspace's connections first;
        // then every event (and the url_verification handshake) goes on to the inbound receiver as on /inbound/slack.
        app.MapPost("/inbound/slack/events", async (HttpContext http, IMediator mediator) =>
        {
            http.Request.EnableBuffering();
            await mediator.Send(new RecordSlackUninstallCommand(await ReadAsync(http)), http.RequestAborted);
            http.Request.Body.Position = 0;
            await InboundReceiverEndpoints.ReceiveAsync(new InboundTarget(RecordSlackUninstallCommandHandler.Provider, null), http, mediator);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>The raw request as the verifier needs it (the signature covers the exact bytes).</summary>
    private static async Task<InboundRequest> ReadAsync(HttpContext http)
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        http.Response.Headers.CacheControl = "no-store";
        return new InboundRequest(http.Request.Method, http.Request.Path, headers, body.ToArray());
    }

    private static Task NotConfiguredAsync(HttpContext http) =>
        ApiErrors.WriteAsync(http, StatusCodes.Status404NotFound, "inbound_target_not_found", "Slack's interactivity and command URLs are not configured on this platform.");

    private static Task RejectedAsync(HttpContext http, string reason) =>
        ApiErrors.WriteAsync(http, StatusCodes.Status401Unauthorized, reason, "The request is not signed by the Slack app, or is too old.");
}
