using Integrations.Application.Apps;
using Integrations.Application.Apps.Commands.ApproveApp;
using Integrations.Application.Apps.Commands.RejectApp;
using Integrations.Application.Apps.Queries.ListAppsForReview;
using Integrations.Application.Common.Listing;
using MediatR;
using static Integrations.Api.Console.ConsoleHtml;

namespace Integrations.Api.Console;

/// <summary>
/// The app review queue: submitted apps of every developer, approved or rejected with a reason
/// through the same commands as POST /api/v1/admin/apps/{id}/approve and /reject.
/// </summary>
public static class OperatorAppReviewPages
{
    public static RouteGroupBuilder MapOperatorAppReviewPages(this RouteGroupBuilder admin)
    {
        admin.MapGet("/apps", (HttpContext http, IMediator mediator, CancellationToken ct) => Queue(http, mediator, null, ct));
        admin.MapPost("/apps/{id:guid}/approve", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            var app = await mediator.Send(new ApproveAppCommand(id), ct);
            return await Queue(http, mediator, $"Approved “{app.Name}”: it is listed in the marketplace.", ct);
        });
        admin.MapPost("/apps/{id:guid}/reject", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            var form = await http.Request.ReadFormAsync(ct);
            var app = await mediator.Send(new RejectAppCommand(id, form["reason"].ToString().Trim() is { Length: > 0 } reason ? reason : null), ct);
            return await Queue(http, mediator, $"Rejected “{app.Name}”; the developer sees the reason.", ct);
        });
        return admin;
    }

    private static async Task<IResult> Queue(HttpContext http, IMediator mediator, string? notice, CancellationToken ct)
    {
        var query = ListQueryParser.Parse(ListAppsForReviewQuery.Spec,
            new ListParameters("25", ConsoleWebhookPages.Param(http, "cursor"), null, new Dictionary<string, string> { ["review_status"] = "pending" }));
        var page = await mediator.Send(new ListAppsForReviewQuery(query), ct);
        var rows = string.Join("\n", page.Data.Select(a => Row(http, a)));
        var more = page.HasMore ? $"""<p><a id="next-page" href="/admin/apps?cursor={Uri.EscapeDataString(page.NextCursor!)}">Next page</a></p>""" : "";
        return Page(http, "App review", $"""
            <h1>App review</h1>
            {(notice is null ? "" : $"<p class=\"notice\" id=\"notice\" role=\"status\">{E(notice)}</p>")}
            <p class="muted">Apps submitted for the public marketplace, newest first. Approving lists an app and lets any organisation install it.</p>
            {(page.Data.Count == 0 ? "<p id=\"no-pending\">No app waits for review.</p>" : $"<ul class=\"review\" id=\"pending-apps\">{rows}</ul>")}
            {more}
            """);
    }

    private static string Row(HttpContext http, AppDto a) => $"""
        <li data-app="{a.Id}"><h2 id="app-{a.Id}">{E(a.Name)}</h2>
          <dl class="facts">
            <dt>Developer organisation</dt><dd><a href="/admin/tenants/{a.OwnerTenantId}"><code>{a.OwnerTenantId}</code></a></dd>
            <dt>Description</dt><dd>{E(a.Description)}</dd>
            <dt>Category</dt><dd>{E(a.Category)}</dd>
            <dt>Homepage</dt><dd>{E(a.HomepageUrl ?? "—")}</dd>
            <dt>Permissions</dt><dd>{E(string.Join(", ", a.Scopes))}</dd>
            <dt>Redirect URIs</dt><dd>{E(string.Join(", ", a.RedirectUris))}</dd>
            <dt>Created</dt><dd>{Time(a.CreatedAt)}</dd>
          </dl>
          <div class="actions">
            {PostButton(http, $"/admin/apps/{a.Id}/approve", $"Approve {a.Name}", $"approve-{a.Id}")}
            <form method="post" action="/admin/apps/{a.Id}/reject" class="inline">
              {Antiforgery(http)}
              <label for="reason-{a.Id}">Reason for rejecting</label>
              <input type="text" id="reason-{a.Id}" name="reason" maxlength="2000" required>
              <button type="submit" id="reject-{a.Id}" class="danger">Reject {E(a.Name)}</button>
            </form>
          </div>
        </li>
        """;
}
