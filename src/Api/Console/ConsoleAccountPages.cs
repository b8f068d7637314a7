using System.Text.Json;
using Integrations.Application.ApiKeys.Commands.CreateApiKey;
using Integrations.Application.ApiKeys.Commands.RevokeApiKey;
using Integrations.Application.ApiKeys.Queries.ListApiKeys;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.EventTypes.Queries.ListEventTypes;
using Integrations.Application.Notifications.Commands.MarkNotificationRead;
using Integrations.Application.Notifications.Queries.ListNotifications;
using MediatR;
using static Integrations.Api.Console.ConsoleHtml;

namespace Integrations.Api.Console;

/// <summary>The event catalog, the organisation's API keys (list, create, revoke) and its notifications (list and mark read).</summary>
public static class ConsoleAccountPages
{
    private const string UnreadItem = "console.unread";

    public static RouteGroupBuilder MapConsoleAccountPages(this RouteGroupBuilder console)
    {
        console.MapGet("/event-types", EventTypes);
        console.MapGet("/api-keys", (HttpContext http, IMediator mediator, CancellationToken ct) => ApiKeys(http, mediator, null, ct));
        // The key is in this answer only (no redirect, no-store): a reload shows the list without it.
        console.MapPost("/api-keys", async (HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            // An embed link lives minutes; a key it could mint would outlive it (ADR 0019).
            if (http.User.IsEmbedded())
                return Error(http, 403, "Not available here", "API keys are created by a member who signed in, not in an embedded console.");
            var created = await mediator.Send(new CreateApiKeyCommand(http.User.Tenant()), ct);
            return await ApiKeys(http, mediator, created, ct);
        });
        console.MapPost("/api-keys/{keyId:guid}/revoke", async (Guid keyId, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new RevokeApiKeyCommand(http.User.Tenant(), keyId), ct);
            return SeeOther(http, "/console/api-keys");
        });
        console.MapGet("/notifications", Notifications);
        console.MapPost("/notifications/{id:guid}/read", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new MarkNotificationReadCommand(http.User.Tenant(), id), ct);
            return SeeOther(http, "/console/notifications");
        });
        return console;
    }

    /// <summary>Counts the unread notices (up to 100) for the bell in the page header.</summary>
    public static async Task LoadUnreadCountAsync(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var query = ListQueryParser.Parse(ListNotificationsQuery.Spec, new ListParameters("100", null, null, new Dictionary<string, string> { ["unread"] = "true" }));
        var page = await mediator.Send(new ListNotificationsQuery(http.User.Tenant(), query), ct);
        http.Items[UnreadItem] = page.HasMore ? "100+" : page.Data.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The bell: a link to the notifications with the unread count, when the request loaded it.</summary>
    public static string Bell(HttpContext http) =>
        http.Items.TryGetValue(UnreadItem, out var count) && count is string n
            ? $"""<a href="/console/notifications" id="bell" aria-label="Notifications, {n} unread">Notifications <span class="count" id="unread-count">{n}</span></a>"""
            : """<a href="/console/notifications">Notifications</a>""";

    private static async Task<IResult> EventTypes(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var catalog = await mediator.Send(new ListEventTypesQuery(), ct);
        var items = string.Join("\n", catalog.Select(t => $"""
            <section class="event-type" id="type-{E(t.Name)}"><h2><code>{E(t.Name)}</code></h2><p>{E(t.Description)}</p>
            <details><summary>Sample payload</summary><pre class="excerpt">{E(JsonSerializer.Serialize(t.Sample, Indented))}</pre></details></section>
            """));
        return Page(http, "Event catalog", $"""<h1>Event catalog</h1><p class="muted">Every event type a webhook endpoint can subscribe to, with a sample of its data.</p>{items}""");
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static async Task<IResult> ApiKeys(HttpContext http, IMediator mediator, CreatedApiKeyDto? created, CancellationToken ct)
    {
        var query = ListQueryParser.Parse(ListApiKeysQuery.Spec, new ListParameters("50", ConsoleWebhookPages.Param(http, "cursor")));
        var page = await mediator.Send(new ListApiKeysQuery(http.User.Tenant(), query), ct);
        var rows = string.Join("\n", page.Data.Select(k => $"""
            <tr><td><code>{E(k.Prefix)}…</code></td><td>{Badge(k.Status)}</td><td>{Time(k.CreatedAt)}</td><td>{Time(k.RevokedAt)}</td>
            <td>{(k.Status == ApiKeyStatuses.Active ? PostButton(http, $"/console/api-keys/{k.Id}/revoke", "Revoke", $"revoke-{k.Id}",
                "Revoke this key? Requests with it fail from now on.", "danger") : "")}</td></tr>
            """));
        var more = page.HasMore ? $"""<p><a id="next-page" href="/console/api-keys?cursor={Uri.EscapeDataString(page.NextCursor!)}">Next page</a></p>""" : "";
        var shown = created is null ? "" : $"""
            <section class="notice" id="created-key" role="status"><h2>New API key</h2>
            <p>Copy it now: it is shown only this once, the platform keeps only its hash.</p><p><code id="new-key">{E(created.Key)}</code></p></section>
            """;
        var create = http.User.IsEmbedded() ? "" : $"""
            <form method="post" action="/console/api-keys" class="inline">{Antiforgery(http)}<button type="submit" id="create-api-key">Create API key</button></form>
            """;
        return Page(http, "API keys", $"""
            <h1>API keys</h1>
            <p class="muted">A key is shown once, when it is created; here you see the prefix of each key and can revoke it.</p>
            {shown}{create}
            <table id="api-keys"><caption class="sr-only">API keys</caption>
            <thead><tr><th scope="col">Key</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Revoked</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>{rows}</tbody></table>{more}
            """);
    }

    private static async Task<IResult> Notifications(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var query = ListQueryParser.Parse(ListNotificationsQuery.Spec, new ListParameters("25", ConsoleWebhookPages.Param(http, "cursor")));
        var page = await mediator.Send(new ListNotificationsQuery(http.User.Tenant(), query), ct);
        var items = string.Join("\n", page.Data.Select(n => $"""
            <li class="{(n.Read ? "read" : "unread")}"><strong>{E(n.Summary)}</strong> <span class="muted">{E(n.Kind)}, {E(n.Notice)}, {Time(n.CreatedAt)}</span>
            {(n.Detail is null ? "" : $"<p>{E(n.Detail)}</p>")}
            {(n.Read ? "<span class=\"muted\">read</span>" : PostButton(http, $"/console/notifications/{n.Id}/read", "Mark read", $"read-{n.Id}"))}</li>
            """));
        var more = page.HasMore ? $"""<p><a id="next-page" href="/console/notifications?cursor={Uri.EscapeDataString(page.NextCursor!)}">Older notifications</a></p>""" : "";
        return Page(http, "Notifications", $"""
            <h1>Notifications</h1>
            {(page.Data.Count == 0 ? "<p id=\"no-notifications\">No notifications. You are told here (and admins by mail) when something stays broken.</p>" : $"<ul class=\"notices\" id=\"notifications\">{items}</ul>")}
            {more}
            """);
    }
}
