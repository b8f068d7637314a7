using System.Globalization;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.EventTypes.Queries.ListEventTypes;
using Integrations.Application.WebhookDeliveries.Commands.RecoverWebhookEndpoint;
using Integrations.Application.WebhookEndpoints.Commands.UpdateWebhookEndpoint;
using Integrations.Application.WebhookEndpoints.Queries.GetWebhookEndpoint;
using MediatR;
using static Integrations.Api.Console.ConsoleHtml;

namespace Integrations.Api.Console;

/// <summary>
/// Editing an endpoint (the command of PATCH /api/v1/webhook-endpoints/{id}) and recovering its
/// dead letters since a date (POST /api/v1/webhook-endpoints/{id}/recover).
/// </summary>
public static class ConsoleWebhookEditPages
{
    public static RouteGroupBuilder MapWebhookEditPages(this RouteGroupBuilder console)
    {
        console.MapGet("/webhooks/{id:guid}/edit", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            var endpoint = await mediator.Send(new GetWebhookEndpointQuery(http.User.Tenant(), id), ct);
            return EditPage(http, id, await ConsoleWebhookPages.Catalog(mediator, ct), null,
                new EndpointForm(endpoint.Url, endpoint.Description ?? "", endpoint.EventTypes, endpoint.RateLimitPerMinute.ToString(CultureInfo.InvariantCulture)));
        });
        console.MapPost("/webhooks/{id:guid}/edit", Update);
        console.MapPost("/webhooks/{id:guid}/recover", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            var form = await http.Request.ReadFormAsync(ct);
            if (!DateOnly.TryParseExact(form["since"].ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var since))
                return Error(http, 422, "Not accepted", "Choose the date from which failed deliveries are sent again.");
            var recovered = await mediator.Send(new RecoverWebhookEndpointCommand(http.User.Tenant(), id,
                new DateTimeOffset(since.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)), ct);
            return SeeOther(http, $"/console/webhooks/{id}?recovered={recovered.Requeued}");
        });
        return console;
    }

    private sealed record EndpointForm(string Url, string Description, IReadOnlyList<string> EventTypes, string RateLimit);

    private static IResult EditPage(HttpContext http, Guid id, IReadOnlyList<EventTypeDto> catalog, string? error, EndpointForm values) =>
        Page(http, "Edit webhook endpoint", $"""
            <p><a href="/console/webhooks/{id}">← Endpoint</a></p>
            <h1>Edit webhook endpoint</h1>
            {(error is null ? "" : $"<p class=\"error\" id=\"error\" role=\"alert\">{E(error)}</p>")}
            <form method="post" action="/console/webhooks/{id}/edit" id="edit-endpoint" class="stack">
              {Antiforgery(http)}
              {ConsoleWebhookPages.EndpointFields(catalog, values.Url, values.Description, values.EventTypes)}
              <label for="rate-limit">Rate limit (deliveries per minute)</label>
              <input type="number" id="rate-limit" name="rate_limit_per_minute" min="1" required value="{E(values.RateLimit)}">
              <button type="submit" id="save">Save changes</button>
            </form>
            """, error is null ? 200 : 422);

    private static async Task<IResult> Update(Guid id, HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var values = new EndpointForm(form["url"].ToString().Trim(), form["description"].ToString().Trim(),
            form["event_types"].Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).ToList(), form["rate_limit_per_minute"].ToString().Trim());
        try
        {
            if (!int.TryParse(values.RateLimit, NumberStyles.None, CultureInfo.InvariantCulture, out var rateLimit))
                throw new ValidationException([new ValidationError("rate_limit_per_minute", "invalid", "The rate limit must be a whole number of deliveries per minute.")]);
            // The form shows every field, so each is sent; an empty description removes it, as in the API's merge patch.
            await mediator.Send(new UpdateWebhookEndpointCommand(http.User.Tenant(), id, values.Url, values.EventTypes, values.Description, rateLimit), ct);
            return SeeOther(http, $"/console/webhooks/{id}");
        }
        catch (ValidationException ex)
        {
            return EditPage(http, id, await ConsoleWebhookPages.Catalog(mediator, ct), string.Join(" ", ex.Errors.Select(e => e.Message)), values);
        }
    }

    /// <summary>The recover form of the endpoint page, and how many deliveries the last recovery requeued.</summary>
    internal static string RecoverForm(HttpContext http, string self) => $"""
        <section aria-labelledby="recover-title"><h2 id="recover-title">Recover failed deliveries</h2>
          {(int.TryParse(ConsoleWebhookPages.Param(http, "recovered"), NumberStyles.None, CultureInfo.InvariantCulture, out var requeued)
              ? $"<p class=\"notice\" id=\"recovered\" role=\"status\">{requeued} failed {(requeued == 1 ? "delivery was" : "deliveries were")} queued again.</p>" : "")}
          <form method="post" action="{self}/recover" id="recover-form" class="inline" data-confirm="Send every delivery that failed since this date again?">
            {Antiforgery(http)}
            <label for="recover-since">Failed since (UTC date)</label>
            <input type="date" id="recover-since" name="since" required>
            <button type="submit" id="recover">Recover failed deliveries</button>
          </form>
        </section>
        """;
}
