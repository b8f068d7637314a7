using Integrations.Application.Common.Exceptions;
using Integrations.Application.Members.Commands.AcceptInvitation;
using Integrations.Application.OAuth;
using MediatR;
using Microsoft.AspNetCore.Antiforgery;

namespace Integrations.Api.OAuth;

/// <summary>
/// The HTML page where an invited person sets a password (the same use case as
/// POST /api/v1/members/accept). The invitation token may come in the link (?token=); the page is
/// never cached and sends no Referer, and the form is antiforgery-protected.
/// </summary>
public static class InvitationPages
{
    public static IEndpointRouteBuilder MapInvitationPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/oauth/invitations/accept", (HttpContext http, string? token) => Form(http, token ?? "", null))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/oauth/invitations/accept", AcceptAsync).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
        return app;
    }

    private static IResult Form(HttpContext http, string token, string? error)
    {
        Headers(http);
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        return OAuthHtml.Page("Accept your invitation", $"""
            <h1>Join your organisation</h1>
            {(error is null ? "" : $"<p class=\"error\" id=\"error\">{OAuthHtml.E(error)}</p>")}
            <form method="post" action="/oauth/invitations/accept" id="accept">
              {OAuthHtml.Hidden(tokens.FormFieldName, tokens.RequestToken!)}
              <label for="token">Invitation token</label>
              <input type="text" id="token" name="token" required value="{OAuthHtml.E(token)}" autocomplete="off">
              <label for="password">Choose a password (at least {MemberRules.MinPasswordLength} characters)</label>
              <input type="password" id="password" name="password" required minlength="{MemberRules.MinPasswordLength}" autocomplete="new-password">
              <button type="submit" id="submit">Join</button>
            </form>
            """, error is null ? 200 : 400);
    }

    private static async Task<IResult> AcceptAsync(HttpContext http, IMediator mediator, IAntiforgery antiforgery, CancellationToken ct)
    {
        Headers(http);
        if (!http.Request.HasFormContentType) return OAuthHtml.Error("Submit the form on this page.");
        try
        {
            await antiforgery.ValidateRequestAsync(http);
        }
        catch (AntiforgeryValidationException)
        {
            return OAuthHtml.Error("The form expired or did not come from this site (anti-forgery check failed). Open the invitation link again.");
        }
        var form = await http.Request.ReadFormAsync(ct);
        var token = form["token"].ToString().Trim();
        try
        {
            var member = await mediator.Send(new AcceptInvitationCommand(token, form["password"].ToString()), ct);
            return OAuthHtml.Page("Welcome", $"""
                <h1 id="joined">You joined your organisation</h1>
                <p>Sign in to apps with your e-mail <strong>{OAuthHtml.E(member.Email)}</strong>, your password and this organisation ID:</p>
                <p><code id="organisation">{member.TenantId}</code></p>
                """);
        }
        catch (ValidationException e)
        {
            return Form(http, token, string.Join(" ", e.Errors.Select(x => x.Message)));
        }
        catch (NotFoundException e)
        {
            return Form(http, "", e.Message);
        }
    }

    private static void Headers(HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        http.Response.Headers["X-Frame-Options"] = "DENY";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";
    }
}
