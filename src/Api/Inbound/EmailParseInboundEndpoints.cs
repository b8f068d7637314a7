using Integrations.Api.Errors;
using Integrations.Application.Email.Commands.ReceiveParsedMail;
using Integrations.Domain.Inbound;
using MediatR;

namespace Integrations.Api.Inbound;

/// <summary>
/// The parse webhooks of Brevo and Mailjet (docs/connectors/email.md#parse-webhooks-brevo-and-mailjet, ADR 0032):
/// <c>POST /inbound/email/{brevo|mailjet}</c>. Anonymous: neither provider signs, so basic auth (sent from the
/// URL's userinfo) is the credential; a header, because request logs write paths. 200 only once the mails are
/// stored, so the provider retries whatever we did not take.
/// </summary>
public static class EmailParseInboundEndpoints
{
    public static IEndpointRouteBuilder MapEmailParseInbound(this IEndpointRouteBuilder app)
    {
        app.MapPost("/inbound/email/{provider}", async (string provider, HttpContext http, IMediator mediator) =>
        {
            switch (await mediator.Send(new ReceiveParsedMailCommand(provider, await SlackInboundEndpoints.ReadAsync(http)), http.RequestAborted))
            {
                case ParsedMailOutcome.NotFound:
                    await ApiErrors.WriteAsync(http, StatusCodes.Status404NotFound, "inbound_target_not_found", "There is no such inbound URL.");
                    break;
                case ParsedMailOutcome.Unauthorized:
                    http.Response.Headers.WWWAuthenticate = "Basic realm=\"inbound-email\"";
                    await ApiErrors.WriteAsync(http, StatusCodes.Status401Unauthorized, RejectionReasons.MissingSignature,
                        "The request carries no (or wrong) basic auth credentials for this inbound URL.");
                    break;
                case ParsedMailOutcome.Malformed:
                    await ApiErrors.WriteAsync(http, StatusCodes.Status400BadRequest, RejectionReasons.MalformedBody,
                        $"The body is not the JSON a {provider} parse webhook sends.");
                    break;
                case ParsedMailOutcome.Accepted accepted:
                    await http.Response.WriteAsJsonAsync(new { received = true, stored = accepted.Stored, replayed = accepted.Replayed, ignored = accepted.Ignored },
                        http.RequestAborted);
                    break;
            }
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
