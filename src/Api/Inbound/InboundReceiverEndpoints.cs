using Integrations.Api.Errors;
using Integrations.Application.Connections;
using Integrations.Application.Inbound;
using Integrations.Application.Inbound.Commands.ReceiveInbound;
using Integrations.Domain.Inbound;
using MediatR;

namespace Integrations.Api.Inbound;

/// <summary>
/// The inbound receiver (docs/inbound.md): <c>POST /inbound/{provider}</c> for a provider's
/// platform-wide webhooks, routed to tenants by the account their payload names, and
/// <c>POST /inbound/sources/{id}</c> for a tenant's own source. Anonymous: the signature (or
/// clientState, or basic auth) is the credential. It verifies, stores and answers; the Workers'
/// inbound pipeline processes. Not in the REST API's description: providers call it, not clients.
/// </summary>
public static class InboundReceiverEndpoints
{
    public static IEndpointRouteBuilder MapInboundReceiver(this IEndpointRouteBuilder app)
    {
        app.MapPost("/inbound/sources/{sourceId:guid}", (Guid sourceId, HttpContext http, IMediator mediator) =>
            ReceiveAsync(new InboundTarget(null, sourceId), http, mediator)).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/inbound/{provider}", (string provider, HttpContext http, IMediator mediator) =>
            ReceiveAsync(new InboundTarget(provider, null), http, mediator)).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>Also the tail of Slack's events URL (<see cref="SlackInboundEndpoints"/>), after its uninstall check.</summary>
    internal static async Task ReceiveAsync(InboundTarget target, HttpContext http, IMediator mediator)
    {
        var ct = http.RequestAborted;
        using var body = new MemoryStream();
        // Kestrel's body limit applies: beyond it the read throws 413, which the error handler words.
        await http.Request.Body.CopyToAsync(body, ct);
        var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new InboundRequest(http.Request.Method, PublicUrl(http), headers, body.ToArray());
        var token = http.Request.Query["validationToken"] is { Count: 1 } values ? values.ToString() : null;

        var receipt = await mediator.Send(new ReceiveInboundCommand(target, request, http.Request.ContentType, token), ct);
        http.Response.Headers.CacheControl = "no-store";
        switch (receipt)
        {
            case InboundHandshake handshake:
                http.Response.ContentType = handshake.ContentType;
                http.Response.Headers["X-Content-Type-Options"] = "nosniff";
                await http.Response.WriteAsync(handshake.Body, ct);
                break;
            case InboundRejected rejected:
                await ApiErrors.WriteAsync(http, StatusCodes.Status401Unauthorized, rejected.Reason, Message(rejected.Reason));
                break;
            case InboundAccepted accepted:
                await http.Response.WriteAsJsonAsync(new { received = true, id = accepted.Id, replayed = false }, ct);
                break;
            default:
                // A replay of an accepted request: 200, so the sender stops retrying; nothing is queued again.
                await http.Response.WriteAsJsonAsync(new { received = true, id = (Guid?)null, replayed = true }, ct);
                break;
        }
    }

    private static string Message(string reason) => reason switch
    {
        RejectionReasons.MissingSignature => "The request carries no signature (or credentials) for this inbound URL.",
        RejectionReasons.StaleTimestamp => "The request's timestamp is outside the accepted window.",
        RejectionReasons.MalformedSignature => "The request's signature header is malformed.",
        RejectionReasons.MalformedBody => "The request's body is not what this inbound URL expects.",
        _ => "The request's signature does not verify.",
    };

    /// <summary>The URL as the sender called it (HubSpot v3 signs it): behind a proxy, the configured public base URL.</summary>
    internal static string PublicUrl(HttpContext http)
    {
        var configured = http.RequestServices.GetRequiredService<ConnectionsOptions>().CallbackBaseUrl;
        var baseUrl = configured is { Length: > 0 } ? configured.TrimEnd('/') : $"{http.Request.Scheme}://{http.Request.Host}";
        return baseUrl + http.Request.PathBase + http.Request.Path + http.Request.QueryString;
    }
}
