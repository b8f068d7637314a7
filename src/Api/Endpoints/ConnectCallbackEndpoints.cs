using Integrations.Api.OAuth;
using Integrations.Application.Connections.Commands.CompleteConnectCallback;
using MediatR;
using Microsoft.AspNetCore.WebUtilities;

namespace Integrations.Api.Endpoints;

/// <summary>
/// Where providers send the browser back after the user authorized (or refused) a connection:
/// <c>GET /connect/callback/{provider}?code=…&amp;state=…</c> (RFC 6749 §4.1.2). Anonymous — the
/// state is the credential — and a page for people, not part of the REST API: it answers a small
/// HTML page, or redirects to the return_url given when the connection was created, with the
/// connection id and the outcome. Neither carries the code, the state or a token; the page is not
/// cached and sends no Referer (its URL holds the code).
/// </summary>
public static class ConnectCallbackEndpoints
{
    public static IEndpointRouteBuilder MapConnectCallback(this IEndpointRouteBuilder app)
    {
        app.MapGet("/connect/callback/{provider}", async (string provider, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            var query = http.Request.Query;
            string? Single(string name) => query[name].Count == 1 ? query[name].ToString() : null;
            var outcome = await mediator.Send(new CompleteConnectCallbackCommand(provider, Single("state"), Single("code"), Single("error"),
                Single("error_description")), ct);
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers["Referrer-Policy"] = "no-referrer";
            if (outcome.ReturnUrl is { } returnUrl && outcome.ConnectionId is { } connectionId)
            {
                var target = QueryHelpers.AddQueryString(returnUrl, new Dictionary<string, string?>
                {
                    ["connection_id"] = connectionId.ToString(),
                    ["status"] = outcome.Connected ? "connected" : "failed",
                    ["error"] = outcome.Error,
                });
                return Results.Redirect(target);
            }
            return outcome.Connected
                ? OAuthHtml.Page("Connected", $"""
                    <h1 id="result" data-connection-id="{outcome.ConnectionId}">Connected</h1>
                    <p>{OAuthHtml.E(outcome.Message)}</p>
                    <p class="muted">You can close this window.</p>
                    """)
                : OAuthHtml.Page("Not connected", $"""
                    <h1 id="result" data-connection-id="{outcome.ConnectionId}">Not connected</h1>
                    <p class="error" id="error" data-error="{OAuthHtml.E(outcome.Error)}">{OAuthHtml.E(outcome.Message)}</p>
                    <p class="muted">Go back to the application and try again.</p>
                    """, outcome.ConnectionId is null ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
