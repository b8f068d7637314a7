using System.Net;
using System.Text;
using Integrations.Api.Errors;
using Integrations.Application.Connectors.Queries.ShowTeamsTab;
using Integrations.Domain.Connectors.Teams;
using MediatR;

namespace Integrations.Api.Endpoints;

/// <summary>
/// The page a Teams tab embeds (<c>GET /teams/tab</c>, its signed link from the tenant's app package;
/// docs/connectors/teams.md): the tenant's connections and their status. Framable only by Teams and
/// the Microsoft 365 hosts that run Teams apps (learn.microsoft.com/microsoftteams/platform/tabs/how-to/tab-requirements).
/// </summary>
public static class TeamsTabPage
{
    /// <summary>Where Teams (web, desktop, mobile) and Microsoft 365 / Outlook host tabs.</summary>
    public const string FrameAncestors = "https://teams.microsoft.com https://*.teams.microsoft.com https://*.teams.microsoft.us https://local.teams.office.com "
                                         + "https://*.cloud.microsoft https://*.office.com https://*.microsoft365.com https://outlook.office.com https://*.skype.com";

    public static IEndpointRouteBuilder MapTeamsTab(this IEndpointRouteBuilder app)
    {
        app.MapGet(TeamsTabLink.Path, async (HttpContext http, IMediator mediator, string? tenant, string? expires, string? sig) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers["Referrer-Policy"] = "no-referrer";
            var view = await mediator.Send(new ShowTeamsTabQuery(tenant, expires, sig), http.RequestAborted);
            if (view.Refusal is { } refusal)
            {
                var (status, message) = refusal == "teams_tab_not_configured"
                    ? (StatusCodes.Status404NotFound, "The Teams tab is not configured on this platform.")
                    : (StatusCodes.Status403Forbidden, "The tab's link is not valid or has expired: download the Teams app package again.");
                await ApiErrors.WriteAsync(http, status, refusal, message);
                return;
            }
            http.Response.Headers.ContentSecurityPolicy = $"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors {FrameAncestors}";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(Render(view), http.RequestAborted);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static string Render(TeamsTabView view)
    {
        var rows = new StringBuilder();
        foreach (var c in view.Connections)
            rows.Append("<tr><td>").Append(E(c.DisplayName ?? c.Provider)).Append("</td><td>").Append(E(c.Provider)).Append("</td><td>")
                .Append(E(c.Account?.Name ?? c.Account?.Id ?? "")).Append("</td><td class=\"").Append(E(c.Status)).Append("\">").Append(E(c.Status)).Append("</td></tr>");
        if (view.Connections.Count == 0) rows.Append("<tr><td colspan=\"4\">No connections yet.</td></tr>");
        return $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Integrations</title>
            <style>body{"{"}font-family:'Segoe UI',sans-serif;margin:16px{"}"} table{"{"}border-collapse:collapse{"}"} td,th{"{"}padding:4px 12px;text-align:left{"}"} .connected{"{"}color:#237b4b{"}"} .needs_reauth,.disconnected,.error{"{"}color:#c4314b{"}"}</style>
            </head><body><h1>Integrations</h1>
            <table><thead><tr><th>Connection</th><th>Provider</th><th>Account</th><th>Status</th></tr></thead><tbody>{rows}</tbody></table>
            </body></html>
            """;
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
