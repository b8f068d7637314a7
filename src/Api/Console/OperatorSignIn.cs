using Integrations.Api.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using static Integrations.Api.Console.ConsoleHtml;

namespace Integrations.Api.Console;

/// <summary>The operator dashboard's sign-in with the admin key (ADR 0019, addendum).</summary>
public static class OperatorSignIn
{
    private const string Refused = "That admin key is not valid.";

    public static RouteGroupBuilder MapOperatorSignIn(this RouteGroupBuilder admin)
    {
        admin.MapGet("/sign-in", (HttpContext http) => SignInPage(http, null)).AllowAnonymous();
        admin.MapPost("/sign-in", SignIn).AllowAnonymous();
        admin.MapPost("/sign-out", async (HttpContext http) =>
        {
            await http.SignOutAsync(OperatorIdentity.Scheme);
            return SeeOther(http, "/admin/sign-in");
        });
        return admin;
    }

    private static IResult SignInPage(HttpContext http, string? error) =>
        Page(http, "Operator sign-in", $"""
            <h1>Sign in as the platform operator</h1>
            {(error is null ? "" : $"<p class=\"error\" id=\"error\" role=\"alert\">{E(error)}</p>")}
            <form method="post" action="/admin/sign-in" id="sign-in" class="stack">
              {Antiforgery(http)}
              <label for="admin-key">Admin key</label>
              <input type="password" id="admin-key" name="admin_key" required autocomplete="off">
              <button type="submit" id="submit">Sign in</button>
            </form>
            <p class="muted">The admin key is the platform's <code>Auth:AdminKey</code> setting. It is checked once; the session lasts as long as a console session.</p>
            """, error is null ? 200 : 401);

    private static async Task<IResult> SignIn(HttpContext http, IOptionsMonitor<AuthOptions> auth, ILoggerFactory loggers, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var presented = form["admin_key"].ToString();
        // No admin key configured: nobody can sign in, as on the REST API.
        if (auth.CurrentValue.AdminKey is not { Length: > 0 } adminKey || presented.Length == 0 || !BearerAuthenticationHandler.FixedTimeEquals(presented, adminKey))
        {
            loggers.CreateLogger("Integrations.Api.Console.OperatorSignIn").LogWarning("Operator sign-in refused from {RemoteIp}", http.Connection.RemoteIpAddress);
            return SignInPage(http, Refused);
        }
        await http.SignInAsync(OperatorIdentity.Scheme, OperatorIdentity.Create());
        return SeeOther(http, "/admin");
    }
}
