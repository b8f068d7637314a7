using System.Net;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.Common.OAuth;

/// <summary>
/// The small HTML pages of the authorization endpoint: the consent form (Approve / Deny, with the
/// account to connect) and the problem page shown instead of redirecting (RFC 6749 §4.1.2.1).
/// Element ids (<c>approve</c>, <c>deny</c>, <c>account</c>) are stable for browser tests.
/// </summary>
public static class ConsentPage
{
    public static Task WriteAsync(HttpContext context, PendingAuthorization request, string decisionPath, IReadOnlyList<Account> accounts)
    {
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        var known = string.Join("", accounts.Select(a => $"<option value=\"{E(a.Id)}\">{E(a.Name)}</option>"));
        var html = $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Authorize {E(request.Client.ClientId)}</title></head>
            <body>
              <h1>Authorize {E(request.Client.ClientId)}</h1>
              <p>The application <strong id="client">{E(request.Client.ClientId)}</strong> asks for access
                 with the scope <code id="scope">{E(request.Scope)}</code>.</p>
              <form method="post" action="{E(decisionPath)}">
                <input type="hidden" name="request_id" value="{E(request.Id)}">
                <label for="account">Account</label>
                <input id="account" name="account" list="accounts" value="{E(request.Account)}">
                <datalist id="accounts">{known}</datalist>
                <button id="approve" type="submit" name="decision" value="approve">Approve</button>
                <button id="deny" type="submit" name="decision" value="deny">Deny</button>
              </form>
            </body></html>
            """;
        return WriteHtmlAsync(context, StatusCodes.Status200OK, html);
    }

    public static Task WriteProblemAsync(HttpContext context, string message) =>
        WriteHtmlAsync(context, StatusCodes.Status400BadRequest, $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Authorization failed</title></head>
            <body><h1>Authorization failed</h1><p id="problem">{WebUtility.HtmlEncode(message)}</p></body></html>
            """);

    private static Task WriteHtmlAsync(HttpContext context, int status, string html)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(html);
    }
}
