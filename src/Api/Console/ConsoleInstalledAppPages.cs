using Integrations.Application.Apps.Commands.DisconnectApp;
using Integrations.Application.Apps.Queries.ListInstalledApps;
using Integrations.Application.Common.Listing;
using MediatR;
using static Integrations.Api.Console.ConsoleHtml;

namespace Integrations.Api.Console;

/// <summary>The OAuth apps members of the organisation authorized (GET /api/v1/installed-apps) and Disconnect (DELETE …/{appId}).</summary>
public static class ConsoleInstalledAppPages
{
    public static RouteGroupBuilder MapInstalledAppPages(this RouteGroupBuilder console)
    {
        console.MapGet("/installed-apps", List);
        console.MapPost("/installed-apps/{appId:guid}/disconnect", async (Guid appId, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new DisconnectAppCommand(http.User.Tenant(), appId), ct);
            return SeeOther(http, "/console/installed-apps");
        });
        return console;
    }

    private static async Task<IResult> List(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var query = ListQueryParser.Parse(ListInstalledAppsQuery.Spec, new ListParameters("25", ConsoleWebhookPages.Param(http, "cursor")));
        var page = await mediator.Send(new ListInstalledAppsQuery(http.User.Tenant(), query), ct);
        var rows = string.Join("\n", page.Data.Select(a => $"""
            <tr><td>{E(a.Name)}</td><td><code>{E(a.ClientId)}</code></td><td>{E(string.Join(" ", a.GrantedScopes))}</td><td>{a.ActiveGrants}</td>
            <td>{Time(a.InstalledAt)}</td>
            <td>{PostButton(http, $"/console/installed-apps/{a.AppId}/disconnect", $"Disconnect {a.Name}", $"disconnect-{a.AppId}",
                $"Disconnect {a.Name}? Its access stops with its next request.", "danger")}</td></tr>
            """));
        var more = page.HasMore ? $"""<p><a href="/console/installed-apps?cursor={Uri.EscapeDataString(page.NextCursor!)}" id="next-page">Next page</a></p>""" : "";
        return Page(http, "Installed apps", $"""
            <h1>Installed apps</h1>
            <p class="muted">OAuth apps that members of the organisation authorized, with the scopes granted. Disconnect revokes every grant of the app here at once.</p>
            {(page.Data.Count == 0 ? "<p id=\"empty\">No installed apps.</p>" : $"""
            <table id="installed-apps"><caption class="sr-only">Installed apps</caption>
            <thead><tr><th scope="col">App</th><th scope="col">Client ID</th><th scope="col">Scopes</th><th scope="col">Active grants</th><th scope="col">Installed</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>{rows}</tbody></table>
            """)}
            {more}
            """);
    }
}
