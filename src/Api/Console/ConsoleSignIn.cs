using Integrations.Api.OAuth;
using Integrations.Application.ConsoleSessions;
using Integrations.Application.ConsoleSessions.Commands.RedeemConsoleSession;
using MediatR;
using Microsoft.AspNetCore.Authentication;
using static Integrations.Api.Console.ConsoleHtml;

namespace Integrations.Api.Console;

/// <summary>The two ways into the console: a member's sign-in and an embed link (ADR 0019).</summary>
public static class ConsoleSignIn
{
    public static RouteGroupBuilder MapConsoleSignIn(this RouteGroupBuilder console)
    {
        console.MapGet("/sign-in", (HttpContext http) => SignInPage(http, null)).AllowAnonymous();
        console.MapPost("/sign-in", SignIn).AllowAnonymous();
        console.MapPost("/sign-out", async (HttpContext http) =>
        {
            await http.SignOutAsync(ConsoleIdentity.Scheme);
            return SeeOther(http, "/console/sign-in");
        });
        console.MapGet("/embed", Embed).AllowAnonymous();
        return console;
    }

    private static IResult SignInPage(HttpContext http, string? error, string organisation = "", string email = "") =>
        Page(http, "Sign in", $"""
            <h1>Sign in to the console</h1>
            {(error is null ? "" : $"<p class=\"error\" id=\"error\" role=\"alert\">{E(error)}</p>")}
            <form method="post" action="/console/sign-in" id="sign-in" class="stack">
              {Antiforgery(http)}
              {Hidden("return_to", SafeReturn(http.Request.Query["return_to"].ToString()))}
              {MemberSignIn.FormFields(organisation, email)}
              <button type="submit" id="submit">Sign in</button>
            </form>
            <p class="muted">Your organisation ID is in the invitation you accepted.</p>
            """, error is null ? 200 : 400);

    private static async Task<IResult> SignIn(HttpContext http, MemberSignIn signIn, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var organisation = form["organisation"].ToString().Trim();
        var email = form["email"].ToString().Trim();
        var member = await signIn.VerifyAsync(organisation, email, form["password"].ToString(), ct);
        if (member is null) return SignInPage(http, OAuthServerEndpoints.FailedSignIn, organisation, email);
        await http.SignInAsync(ConsoleIdentity.Scheme, ConsoleIdentity.ForMember(member.TenantId, member.Id, member.Email));
        return SeeOther(http, SafeReturn(form["return_to"].ToString()));
    }

    /// <summary>Only a path of the console itself: never an open redirector.</summary>
    private static string SafeReturn(string? path) =>
        path is { Length: > 0 } p && p.StartsWith("/console/", StringComparison.Ordinal) && !p.StartsWith("/console//", StringComparison.Ordinal) && !p.Contains('\\')
            ? p : "/console/webhooks";

    /// <summary>Opens a link minted by POST /api/v1/console-sessions: once, before it expires.</summary>
    private static async Task<IResult> Embed(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var redemption = await mediator.Send(new RedeemConsoleSessionCommand(http.Request.Query["token"].ToString()), ct);
        if (redemption.Outcome != ConsoleSessionOutcome.Redeemed)
        {
            var message = redemption.Outcome switch
            {
                ConsoleSessionOutcome.AlreadyUsed => "This console link was already used. Links open the console once; ask the application for a new one.",
                ConsoleSessionOutcome.Expired => "This console link has expired. Links are valid for a few minutes; ask the application for a new one.",
                _ => "This console link is not valid. Ask the application for a new one.",
            };
            return Error(http, 410, "Link not valid", message);
        }
        await http.SignInAsync(ConsoleIdentity.Scheme, ConsoleIdentity.ForEmbed(redemption.TenantId!.Value, redemption.SessionId!.Value));
        return SeeOther(http, "/console/webhooks");
    }
}
