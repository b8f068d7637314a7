using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;

namespace Integrations.Api.Console;

/// <summary>
/// The console's page frame and HTML helpers. Every value that reaches a page goes through
/// <see cref="E"/>; pages carry no inline script or style (the CSP forbids them, ADR 0019).
/// </summary>
public static class ConsoleHtml
{
    public static string E(string? value) => WebUtility.HtmlEncode(value ?? "");

    public static string Time(DateTimeOffset? value) =>
        value is { } t ? $"<time datetime=\"{t.UtcDateTime:O}\">{t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC</time>" : "—";

    public static string Hidden(string name, string value) => $"""<input type="hidden" name="{E(name)}" value="{E(value)}">""";

    /// <summary>The antiforgery field of a POST form, bound to the current console identity.</summary>
    public static string Antiforgery(HttpContext http)
    {
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        return Hidden(tokens.FormFieldName, tokens.RequestToken!);
    }

    /// <summary>A form with one button that POSTs to <paramref name="action"/>; <paramref name="confirm"/> asks first (console.js).</summary>
    public static string PostButton(HttpContext http, string action, string label, string id, string? confirm = null, string css = "") => $"""
        <form method="post" action="{E(action)}" class="inline"{(confirm is null ? "" : $" data-confirm=\"{E(confirm)}\"")}>{Antiforgery(http)}<button type="submit" id="{E(id)}" class="{css}">{E(label)}</button></form>
        """;

    public static string Badge(string status) => $"""<span class="badge badge-{E(status)}">{E(status)}</span>""";

    public static IResult Page(HttpContext http, string title, string body, int status = 200)
    {
        var user = http.User;
        var signedIn = user.Identity?.IsAuthenticated == true && user.Identity.AuthenticationType == ConsoleIdentity.Scheme;
        var header = signedIn
            ? $"""
              <header><nav aria-label="Console"><a href="/console/webhooks" class="brand">Integrations console</a>
              <a href="/console/webhooks">Webhook endpoints</a><a href="/console/connections">Connections</a><a href="/console/installed-apps">Installed apps</a><a href="/console/event-types">Event catalog</a>
              <a href="/console/api-keys">API keys</a><a href="/console/members">Members</a><a href="/console/apps">Your apps</a>{ConsoleAccountPages.Bell(http)}</nav>
              <div class="who"><span id="signed-in-as">{E(user.Label())}</span>
              {PostButton(http, "/console/sign-out", "Sign out", "sign-out", css: "link")}</div></header>
              """
            : user.IsOperator()
                ? $"""
                  <header><nav aria-label="Operator"><a href="/admin" class="brand">Integrations operator</a>
                  <a href="/admin">Integration health</a><a href="/admin/dead-letters">Dead letters</a><a href="/admin/apps">App review</a></nav>
                  <div class="who"><span id="signed-in-as">{E(user.Label())}</span>
                  {PostButton(http, "/admin/sign-out", "Sign out", "sign-out", css: "link")}</div></header>
                  """
                : """<header><nav aria-label="Console"><span class="brand">Integrations console</span></nav></header>""";
        return Results.Content($"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>{E(title)} · Integrations console</title><link rel="stylesheet" href="/console/assets/console.css"><link rel="icon" href="/console/assets/favicon.svg">
            <script src="/console/assets/console.js" defer></script></head>
            <body>{header}<main id="main">{body}</main></body></html>
            """, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    public static IResult Error(HttpContext http, int status, string title, string message) =>
        Page(http, title, $"""<h1>{E(title)}</h1><p class="error" id="error" role="alert">{E(message)}</p>{(http.Request.Path.StartsWithSegments("/admin")
            ? "<p><a href=\"/admin\">Back to the dashboard</a></p>" : "<p><a href=\"/console\">Back to the console</a></p>")}""", status);

    /// <summary>
    /// Headers of every console answer: a CSP with no inline script or style, framing allowed only
    /// to a session opened through an embed link (and then only by the configured origins).
    /// </summary>
    public static void SecurityHeaders(HttpContext http)
    {
        var headers = http.Response.Headers;
        var ancestors = "'none'";
        if (http.Request.Path.Equals("/console/embed", StringComparison.Ordinal)
            || (http.User.Identity?.AuthenticationType == ConsoleIdentity.Scheme && http.User.IsEmbedded()))
        {
            var origins = http.RequestServices.GetRequiredService<IOptionsMonitor<ConsoleOptions>>().CurrentValue.EmbedAllowedOrigins;
            ancestors = origins.Length == 0 ? "'self'" : string.Join(' ', origins);
        }
        else headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
                                        $"form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}";
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
    }

    /// <summary>303: the browser follows with GET, so a reload never re-posts a form.</summary>
    public static IResult SeeOther(HttpContext http, string location)
    {
        http.Response.Headers.Location = location;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }
}
