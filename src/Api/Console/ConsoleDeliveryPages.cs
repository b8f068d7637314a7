using System.Globalization;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.WebhookDeliveries.Commands.RetryWebhookDelivery;
using Integrations.Application.WebhookDeliveries.Commands.SendTestWebhook;
using Integrations.Application.WebhookDeliveries.Queries.GetWebhookDelivery;
using Integrations.Application.WebhookDeliveries.Queries.ListEndpointDeliveries;
using Integrations.Application.WebhookDeliveries.Queries.ListWebhookDeliveries;
using MediatR;
using static Integrations.Api.Console.ConsoleHtml;

namespace Integrations.Api.Console;

/// <summary>The delivery log of an endpoint, one delivery's attempts, retry, and the Test webhook button.</summary>
public static class ConsoleDeliveryPages
{
    /// <summary>Set by console.js on the requests whose answer it shows inline.</summary>
    private const string FragmentHeader = "X-Console-Fragment";

    public static RouteGroupBuilder MapWebhookDeliveryPages(this RouteGroupBuilder console)
    {
        console.MapPost("/webhooks/{id:guid}/test", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            var form = await http.Request.ReadFormAsync(ct);
            var delivery = await mediator.Send(new SendTestWebhookCommand(http.User.Tenant(), id, form["event_type"].ToString()), ct);
            return http.Request.Headers.ContainsKey(FragmentHeader)
                ? Results.Content(Outcome(delivery), "text/html; charset=utf-8")
                : SeeOther(http, $"/console/webhooks/{id}/deliveries/{delivery.Id}");
        });
        console.MapGet("/webhooks/{id:guid}/deliveries/{deliveryId:guid}/outcome", async (Guid id, Guid deliveryId, HttpContext http, IMediator mediator, CancellationToken ct) =>
            Results.Content(Outcome(await Find(http, mediator, id, deliveryId, ct)), "text/html; charset=utf-8"));
        console.MapGet("/webhooks/{id:guid}/deliveries/{deliveryId:guid}", Detail);
        console.MapPost("/webhooks/{id:guid}/deliveries/{deliveryId:guid}/retry", async (Guid id, Guid deliveryId, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            await Find(http, mediator, id, deliveryId, ct);
            await mediator.Send(new RetryWebhookDeliveryCommand(http.User.Tenant(), deliveryId), ct);
            return SeeOther(http, $"/console/webhooks/{id}/deliveries/{deliveryId}");
        });
        return console;
    }

    /// <summary>The delivery, only if it is the session tenant's and the endpoint's in the URL.</summary>
    private static async Task<WebhookDeliveryDetailDto> Find(HttpContext http, IMediator mediator, Guid endpointId, Guid deliveryId, CancellationToken ct)
    {
        var delivery = await mediator.Send(new GetWebhookDeliveryQuery(http.User.Tenant(), deliveryId), ct);
        return delivery.EndpointId == endpointId ? delivery : throw new NotFoundException("webhook_delivery_not_found", "No such delivery.");
    }

    /// <summary>The Test webhook result; while pending, console.js polls <c>data-poll</c> and replaces it.</summary>
    private static string Outcome(WebhookDeliveryDto d)
    {
        var link = $"/console/webhooks/{d.EndpointId}/deliveries/{d.Id}";
        var poll = d.Status == WebhookDeliveryStatuses.Pending && d.LastStatusCode is null && d.LastErrorKind is null
            ? $" data-poll=\"{link}/outcome\"" : "";
        return $"""
            <p id="test-outcome" data-status="{E(d.Status)}"{poll}>Test delivery <a href="{link}">{E(d.EventType)}</a>: {Badge(d.Status)}
            {(d.LastStatusCode is { } code ? $"HTTP <strong id=\"test-status-code\">{code}</strong>" : "")} {E(d.LastErrorKind)}
            {(poll.Length > 0 ? "<span class=\"muted\">sending…</span>" : "")}</p>
            """;
    }

    /// <summary>
    /// The endpoint's log, newest first, filtered by status, event type and creation date (the REST
    /// list's filters; a date range is whole UTC days), keyset-paginated like the API.
    /// </summary>
    public static async Task<string> DeliveryLog(HttpContext http, IMediator mediator, Guid endpointId, CancellationToken ct)
    {
        var chosen = new[] { "status", "event_type", "from", "to" }.Select(n => (Name: n, Value: ConsoleWebhookPages.Param(http, n)))
            .Where(f => f.Value is not null).ToDictionary(f => f.Name, f => f.Value!);
        var filters = chosen.Where(f => f.Key is "status" or "event_type").ToDictionary();
        if (chosen.TryGetValue("from", out var from)) filters["created_after"] = Day(from, d => d.AddTicks(-10));
        if (chosen.TryGetValue("to", out var to)) filters["created_before"] = Day(to, d => d.AddDays(1));
        var query = ListQueryParser.Parse(ListWebhookDeliveriesQuery.Spec, new ListParameters("25", ConsoleWebhookPages.Param(http, "cursor"), null, filters));
        var page = await mediator.Send(new ListEndpointDeliveriesQuery(http.User.Tenant(), endpointId, query), ct);
        var self = $"/console/webhooks/{endpointId}";
        var rows = string.Join("\n", page.Data.Select(d => $"""
            <tr><td><a href="{self}/deliveries/{d.Id}">{E(d.EventType)}</a>{(d.IsTest ? " <span class=\"muted\">(test)</span>" : "")}</td>
            <td>{Badge(d.Status)}</td><td class="code">{d.LastStatusCode?.ToString() ?? E(d.LastErrorKind ?? "—")}</td>
            <td>{d.AttemptCount}</td><td>{Time(d.CreatedAt)}</td></tr>
            """));
        var catalog = await ConsoleWebhookPages.Catalog(mediator, ct);
        var next = page.HasMore
            ? $"""<p><a id="next-page" href="{self}?{string.Join("", chosen.Select(f => $"{f.Key}={Uri.EscapeDataString(f.Value)}&"))}cursor={Uri.EscapeDataString(page.NextCursor!)}">Older deliveries</a></p>"""
            : "";
        return $"""
            <section aria-labelledby="log-title"><h2 id="log-title">Delivery log</h2>
              <form method="get" action="{self}" class="inline" id="log-filter">
                <label for="status-filter">Status</label>{Choice("status-filter", "status", WebhookDeliveryStatuses.All, chosen.GetValueOrDefault("status"))}
                <label for="event-type-filter">Type of event</label>{Choice("event-type-filter", "event_type", catalog.Select(t => t.Name), chosen.GetValueOrDefault("event_type"))}
                <label for="from-filter">From (UTC)</label><input type="date" id="from-filter" name="from" value="{E(chosen.GetValueOrDefault("from"))}">
                <label for="to-filter">To (UTC)</label><input type="date" id="to-filter" name="to" value="{E(chosen.GetValueOrDefault("to"))}">
                <button type="submit" id="filter">Filter</button>
              </form>
              {(page.Data.Count == 0 ? "<p id=\"no-deliveries\">No deliveries.</p>" : $"""
              <table id="deliveries"><caption class="sr-only">Deliveries</caption>
              <thead><tr><th scope="col">Event type</th><th scope="col">Status</th><th scope="col">Last answer</th><th scope="col">Attempts</th><th scope="col">Created</th></tr></thead>
              <tbody>{rows}</tbody></table>
              """)}
              {next}
            </section>
            """;
    }

    /// <summary>A select with "all" first; the chosen value stays selected.</summary>
    private static string Choice(string id, string name, IEnumerable<string> values, string? chosen) =>
        $"""<select id="{id}" name="{name}">{string.Join("", new[] { "" }.Concat(values).Select(v =>
            $"<option value=\"{E(v)}\"{(v == (chosen ?? "") ? " selected" : "")}>{(v.Length == 0 ? "all" : E(v))}</option>"))}</select>""";

    /// <summary>A date field as the instant the API's filter takes; anything else goes on as typed, for the API's own error.</summary>
    private static string Day(string value, Func<DateTimeOffset, DateTimeOffset> bound) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? bound(new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)
            : value;

    private static async Task<IResult> Detail(Guid id, Guid deliveryId, HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var d = await Find(http, mediator, id, deliveryId, ct);
        var retry = d.Status == WebhookDeliveryStatuses.Failed
            ? PostButton(http, $"/console/webhooks/{id}/deliveries/{d.Id}/retry", "Retry delivery", "retry")
            : "";
        return Page(http, "Delivery " + d.EventType, $"""
            <p><a href="/console/webhooks/{id}">← Endpoint</a></p>
            <h1>Delivery of {E(d.EventType)}</h1>
            <dl class="facts">
              <dt>Webhook id</dt><dd><code>{d.Id}</code></dd>
              <dt>Status</dt><dd id="delivery-status">{Badge(d.Status)}</dd>
              <dt>Created</dt><dd>{Time(d.CreatedAt)}</dd>
              <dt>Next attempt</dt><dd>{Time(d.NextAttemptAt)}</dd>
              <dt>Failure reason</dt><dd>{E(d.FailureReason ?? "—")}</dd>
            </dl>
            {retry}
            {Attempts(d.Attempts)}
            """);
    }

    /// <summary>A delivery's attempts, oldest first (also the operator's dead-letter page).</summary>
    internal static string Attempts(IReadOnlyList<WebhookAttemptDto> attempts)
    {
        var rows = string.Join("\n", attempts.Select(a => $"""
            <tr><td>{a.Attempt}</td><td>{Time(a.StartedAt)}</td><td class="code">{a.StatusCode?.ToString() ?? "—"}</td><td>{a.DurationMs} ms</td>
            <td>{E(a.ErrorKind ?? "—")}</td><td><pre class="excerpt">{E(a.ResponseBodyExcerpt)}</pre></td></tr>
            """));
        return $"""
            <h2>Attempts</h2>
            {(attempts.Count == 0 ? "<p id=\"no-attempts\">No attempt yet.</p>" : $"""
            <table id="attempts"><caption class="sr-only">Attempts</caption>
            <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Status code</th><th scope="col">Response time</th><th scope="col">Error kind</th><th scope="col">Answer (first 1 KiB)</th></tr></thead>
            <tbody>{rows}</tbody></table>
            """)}
            """;
    }
}
