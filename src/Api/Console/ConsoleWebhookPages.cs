using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Listing;
using Integrations.Application.EventTypes.Queries.ListEventTypes;
using Integrations.Application.WebhookDeliveries.Queries.GetWebhookEndpointHealth;
using Integrations.Application.WebhookEndpoints.Commands.CreateWebhookEndpoint;
using Integrations.Application.WebhookEndpoints.Commands.DeleteWebhookEndpoint;
using Integrations.Application.WebhookEndpoints.Commands.DisableWebhookEndpoint;
using Integrations.Application.WebhookEndpoints.Commands.EnableWebhookEndpoint;
using Integrations.Application.WebhookEndpoints.Commands.RotateWebhookEndpointSecret;
using Integrations.Application.WebhookEndpoints.Queries.GetWebhookEndpoint;
using Integrations.Application.WebhookEndpoints.Queries.ListWebhookEndpoints;
using Integrations.Application.WebhookEndpoints.Queries.RevealWebhookEndpointSecret;
using Integrations.Domain.Webhooks;
using MediatR;
using static Integrations.Api.Console.ConsoleHtml;

namespace Integrations.Api.Console;

/// <summary>The webhook endpoint pages: list, create, detail with secret, state and the delivery log.</summary>
public static class ConsoleWebhookPages
{
    public static RouteGroupBuilder MapWebhookEndpointPages(this RouteGroupBuilder console)
    {
        console.MapGet("/webhooks", List);
        console.MapGet("/webhooks/new", async (HttpContext http, IMediator mediator, CancellationToken ct) => NewPage(http, await Catalog(mediator, ct), null, null, null, []));
        console.MapPost("/webhooks", Create);
        console.MapGet("/webhooks/{id:guid}", (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) => Detail(http, mediator, id, null, ct));
        console.MapPost("/webhooks/{id:guid}/reveal-secret", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            var secret = await mediator.Send(new RevealWebhookEndpointSecretQuery(http.User.Tenant(), id), ct);
            return await Detail(http, mediator, id, $"""<p>Signing secret: <code id="secret">{E(secret.Secret)}</code></p>""", ct);
        });
        console.MapPost("/webhooks/{id:guid}/rotate-secret", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            var rotated = await mediator.Send(new RotateWebhookEndpointSecretCommand(http.User.Tenant(), id), ct);
            return await Detail(http, mediator, id, $"""
                <p>New signing secret: <code id="secret">{E(rotated.Secret)}</code></p>
                <p class="muted" id="overlap">The previous secret keeps signing beside it until {Time(rotated.PreviousSecretExpiresAt)}.</p>
                """, ct);
        });
        console.MapPost("/webhooks/{id:guid}/enable", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new EnableWebhookEndpointCommand(http.User.Tenant(), id), ct);
            return SeeOther(http, $"/console/webhooks/{id}");
        });
        console.MapPost("/webhooks/{id:guid}/disable", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new DisableWebhookEndpointCommand(http.User.Tenant(), id, DisabledReasons.Manual, "Disabled in the console."), ct);
            return SeeOther(http, $"/console/webhooks/{id}");
        });
        console.MapPost("/webhooks/{id:guid}/delete", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new DeleteWebhookEndpointCommand(http.User.Tenant(), id), ct);
            return SeeOther(http, "/console/webhooks");
        });
        return console;
    }

    private static async Task<IResult> List(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var query = ListQueryParser.Parse(ListWebhookEndpointsQuery.Spec, new ListParameters("25", Param(http, "cursor")));
        var page = await mediator.Send(new ListWebhookEndpointsQuery(http.User.Tenant(), query), ct);
        var rows = string.Join("\n", page.Data.Select(e => $"""
            <tr><td><a href="/console/webhooks/{e.Id}">{E(e.Url)}</a></td><td>{Badge(e.Status)}</td>
            <td>{E(string.Join(", ", e.EventTypes))}</td><td>{E(e.Description)}</td><td>{Time(e.CreatedAt)}</td></tr>
            """));
        var more = page.HasMore ? $"""<p><a href="/console/webhooks?cursor={Uri.EscapeDataString(page.NextCursor!)}" id="next-page">Next page</a></p>""" : "";
        return Page(http, "Webhook endpoints", $"""
            <div class="title"><h1>Webhook endpoints</h1><a class="button" href="/console/webhooks/new" id="new-endpoint">New endpoint</a></div>
            {(page.Data.Count == 0 ? "<p id=\"empty\">No endpoints yet. Create one to receive events.</p>" : $"""
            <table id="endpoints"><caption class="sr-only">Webhook endpoints</caption>
            <thead><tr><th scope="col">URL</th><th scope="col">Status</th><th scope="col">Events</th><th scope="col">Description</th><th scope="col">Created</th></tr></thead>
            <tbody>{rows}</tbody></table>
            """)}
            {more}
            """);
    }

    private static IResult NewPage(HttpContext http, IReadOnlyList<EventTypeDto> catalog, string? error, string? url, string? description, IReadOnlyCollection<string> chosen) =>
        Page(http, "New webhook endpoint", $"""
            <h1>New webhook endpoint</h1>
            {(error is null ? "" : $"<p class=\"error\" id=\"error\" role=\"alert\">{E(error)}</p>")}
            <form method="post" action="/console/webhooks" id="create-endpoint" class="stack">
              {Antiforgery(http)}
              {EndpointFields(catalog, url, description, chosen)}
              <button type="submit" id="create">Create endpoint</button>
            </form>
            """, error is null ? 200 : 422);

    /// <summary>URL, description and event types: the fields the create and edit forms share.</summary>
    internal static string EndpointFields(IReadOnlyList<EventTypeDto> catalog, string? url, string? description, IReadOnlyCollection<string> chosen) => $"""
        <label for="url">URL</label>
        <input type="url" id="url" name="url" required value="{E(url)}" placeholder="https://hooks.example.com/integrations">
        <label for="description">Description (optional)</label>
        <input type="text" id="description" name="description" value="{E(description)}" maxlength="500">
        {EventTypeFields(catalog, chosen)}
        """;

    /// <summary>The event types of the catalog as checkboxes named event_types, with <c>*</c> first (endpoint and route forms).</summary>
    internal static string EventTypeFields(IReadOnlyList<EventTypeDto> catalog, IReadOnlyCollection<string> chosen)
    {
        var types = string.Join("\n", catalog.Select((t, i) => $"""
            <li><input type="checkbox" name="event_types" value="{E(t.Name)}" id="type-{i}"{(chosen.Contains(t.Name) ? " checked" : "")}>
            <label for="type-{i}"><code>{E(t.Name)}</code> <span class="muted">{E(t.Description)}</span></label></li>
            """));
        return $"""
            <fieldset><legend>Event types</legend>
              <ul class="types"><li><input type="checkbox" name="event_types" value="*" id="type-all"{(chosen.Contains("*") ? " checked" : "")}>
              <label for="type-all"><code>*</code> <span class="muted">Every event type, including ones added later</span></label></li>
              {types}</ul>
            </fieldset>
            """;
    }

    internal static async Task<IReadOnlyList<EventTypeDto>> Catalog(IMediator mediator, CancellationToken ct) => await mediator.Send(new ListEventTypesQuery(), ct);

    private static async Task<IResult> Create(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var url = form["url"].ToString().Trim();
        var description = form["description"].ToString().Trim();
        var types = form["event_types"].Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).ToList();
        try
        {
            var created = await mediator.Send(new CreateWebhookEndpointCommand(http.User.Tenant(), url, types, description.Length == 0 ? null : description, null), ct);
            return SeeOther(http, $"/console/webhooks/{created.Id}");
        }
        catch (ValidationException ex)
        {
            return NewPage(http, await Catalog(mediator, ct), string.Join(" ", ex.Errors.Select(e => e.Message)), url, description, types);
        }
    }

    /// <summary>The endpoint with its health, secret actions, Test webhook and the delivery log; <paramref name="secret"/> only after an explicit reveal or rotate.</summary>
    internal static async Task<IResult> Detail(HttpContext http, IMediator mediator, Guid id, string? secret, CancellationToken ct)
    {
        var tenant = http.User.Tenant();
        var endpoint = await mediator.Send(new GetWebhookEndpointQuery(tenant, id), ct);
        var health = await mediator.Send(new GetWebhookEndpointHealthQuery(tenant, id), ct);
        var catalog = await Catalog(mediator, ct);
        var enabled = endpoint.Status == "enabled";
        var self = $"/console/webhooks/{id}";
        var options = string.Join("", catalog.Select(t => $"<option value=\"{E(t.Name)}\">{E(t.Name)}</option>"));
        var log = await ConsoleDeliveryPages.DeliveryLog(http, mediator, id, ct);
        return Page(http, endpoint.Url, $"""
            <p><a href="/console/webhooks">← Webhook endpoints</a></p>
            <h1 id="endpoint-url">{E(endpoint.Url)}</h1>
            <dl class="facts">
              <dt>Status</dt><dd id="status">{Badge(endpoint.Status)} {E(endpoint.DisabledMessage)}</dd>
              <dt>Event types</dt><dd>{E(string.Join(", ", endpoint.EventTypes))}</dd>
              <dt>Description</dt><dd id="description-value">{E(endpoint.Description ?? "—")}</dd>
              <dt>Rate limit</dt><dd id="rate-limit">{endpoint.RateLimitPerMinute} per minute</dd>
              <dt>Circuit breaker</dt><dd id="circuit">{E(health.Circuit.State)}{(health.Circuit.NextProbeAt is null ? "" : $", next probe {Time(health.Circuit.NextProbeAt)}")}</dd>
              <dt>Failures in a row</dt><dd>{health.ConsecutiveFailures} (disabled at {health.AutoDisableAfter})</dd>
              <dt>Last success</dt><dd>{Time(health.LastSuccessAt)}</dd>
              <dt>Waiting deliveries</dt><dd>{health.PendingDeliveries}</dd>
            </dl>
            <section aria-labelledby="secret-title"><h2 id="secret-title">Signing secret</h2>
              {secret ?? "<p class=\"muted\">Hidden. Reveal it only when you need to configure the receiver.</p>"}
              <div class="actions">
              {PostButton(http, $"{self}/reveal-secret", "Reveal secret", "reveal-secret")}
              {PostButton(http, $"{self}/rotate-secret", "Rotate secret", "rotate-secret", "Rotate the signing secret? The previous one keeps working for the overlap period.")}
              </div>
            </section>
            <section aria-labelledby="manage-title"><h2 id="manage-title">Manage</h2><div class="actions">
              <a class="button" href="{self}/edit" id="edit">Edit endpoint</a>
              {(enabled ? PostButton(http, $"{self}/disable", "Disable", "disable") : PostButton(http, $"{self}/enable", "Enable", "enable"))}
              {PostButton(http, $"{self}/delete", "Delete endpoint", "delete", "Delete this endpoint? It receives nothing more.", "danger")}
            </div></section>
            <section aria-labelledby="test-title"><h2 id="test-title">Test webhook</h2>
              <form method="post" action="{self}/test" id="test-form" class="inline" data-inline-result="test-result">
                {Antiforgery(http)}
                <label for="test-event-type">Event type</label>
                <select id="test-event-type" name="event_type">{options}</select>
                <button type="submit" id="test-webhook"{(enabled ? "" : " disabled")}>Test webhook</button>
              </form>
              <div id="test-result" aria-live="polite"></div>
            </section>
            {ConsoleWebhookEditPages.RecoverForm(http, self)}
            {log}
            """);
    }

    internal static string? Param(HttpContext http, string name) =>
        http.Request.Query[name].ToString() is { Length: > 0 } value ? value : null;
}
