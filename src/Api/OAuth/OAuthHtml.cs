using System.Net;
using System.Text;

namespace Integrations.Api.OAuth;

/// <summary>Server-rendered pages of the authorization server: no scripts, no external assets.</summary>
public static class OAuthHtml
{
    private const string Style = """
        body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}
        h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}input[type=text],input[type=email],input[type=password]{width:100%;padding:.5rem;box-sizing:border-box}
        button{margin:1rem .5rem 0 0;padding:.5rem 1.2rem}.error{color:#b00020}.muted{color:#57606a}ul.scopes li{margin:.4rem 0}code{background:#f0f2f4;padding:0 .2rem}
        """;

    public static string E(string? value) => WebUtility.HtmlEncode(value ?? "");

    public static IResult Page(string title, string body, int status = 200) =>
        Results.Content($"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>{E(title)}</title><style>{Style}</style></head>
            <body><main>{body}</main></body></html>
            """, "text/html; charset=utf-8", Encoding.UTF8, status);

    /// <summary>Shown instead of redirecting when the client or redirect URI cannot be trusted (RFC 6749 §4.1.2.1).</summary>
    public static IResult Error(string message, int status = 400) =>
        Page("Authorization error", $"""
            <h1>This request cannot be completed</h1>
            <p class="error" id="error">{E(message)}</p>
            <p class="muted">Go back to the application and try again. If this keeps happening, contact the application's developer.</p>
            """, status);

    public static string Hidden(string name, string value) => $"""<input type="hidden" name="{E(name)}" value="{E(value)}">""";
}
