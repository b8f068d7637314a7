using System.Globalization;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.DeadLetters.Commands.ReplayTenantDeadLetters;
using Integrations.Application.DeadLetters.Queries.ListDeadLetterTenants;
using Integrations.Application.Tenants.Queries.GetTenant;
using Integrations.Application.WebhookDeliveries.Commands.RetryWebhookDelivery;
using Integrations.Application.WebhookDeliveries.Queries.GetWebhookDelivery;
using Integrations.Application.WebhookDeliveries.Queries.ListWebhookDeliveries;
using MediatR;
using static Integrations.Api.Console.ConsoleHtml;

namespace Integrations.Api.Console;

/// <summary>
/// Dead letters across tenants (GET /api/v1/admin/dead-letters), one tenant's
/// (GET /api/v1/webhook-deliveries?status=failed&amp;tenant_id=…) with each delivery's attempts, and replay:
/// one (POST /api/v1/webhook-deliveries/{id}/retry with the admin key) or all of a tenant's
/// (POST /api/v1/admin/tenants/{id}/dead-letters/replay).
/// </summary>
public static class OperatorDeadLetterPages
{
    public static RouteGroupBuilder MapOperatorDeadLetterPages(this RouteGroupBuilder admin)
    {
        admin.MapGet("/dead-letters", Tenants);
        admin.MapGet("/dead-letters/{tenantId:guid}", TenantDeadLetters);
        admin.MapGet("/dead-letters/{tenantId:guid}/{deliveryId:guid}", Delivery);
        admin.MapPost("/dead-letters/{tenantId:guid}/replay", async (Guid tenantId, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            var replayed = await mediator.Send(new ReplayTenantDeadLettersCommand(tenantId, null), ct);
            return SeeOther(http, $"/admin/dead-letters?replayed={replayed.Requeued}");
        });
        admin.MapPost("/dead-letters/{tenantId:guid}/{deliveryId:guid}/replay", async (Guid tenantId, Guid deliveryId, HttpContext http, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new RetryWebhookDeliveryCommand(tenantId, deliveryId), ct);
            return SeeOther(http, $"/admin/dead-letters/{tenantId}?replayed=1");
        });
        return admin;
    }

    private static string Replayed(HttpContext http) =>
        int.TryParse(ConsoleWebhookPages.Param(http, "replayed"), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? $"<p class=\"notice\" id=\"replayed\" role=\"status\">{n} {(n == 1 ? "delivery was" : "deliveries were")} queued again.</p>"
            : "";

    private static async Task<IResult> Tenants(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var tenants = await mediator.Send(new ListDeadLetterTenantsQuery(), ct);
        var names = await OperatorHealthPages.TenantNames(mediator, tenants.Select(t => t.TenantId), ct);
        var rows = string.Join("\n", tenants.Select(t => $"""
            <tr data-tenant="{t.TenantId}"><td><a href="/admin/dead-letters/{t.TenantId}">{E(names[t.TenantId])}</a></td><td>{t.DeadLetters}</td><td>{t.Endpoints}</td>
            <td>{Time(t.OldestFailedAt)}</td><td>{Time(t.NewestFailedAt)}</td>
            <td>{PostButton(http, $"/admin/dead-letters/{t.TenantId}/replay", $"Replay all of {names[t.TenantId]}", $"replay-{t.TenantId}",
                $"Send all {t.DeadLetters} dead-lettered deliveries of {names[t.TenantId]} again?")}</td></tr>
            """));
        return Page(http, "Dead letters", $"""
            <h1>Dead letters</h1>
            <p class="muted">Webhook deliveries that used up their retries, per tenant, most first. Replaying gives a delivery the full retry schedule again, with its webhook_id.</p>
            {Replayed(http)}
            {OperatorHealthPages.Table("dead-letters", "Tenants with dead letters, most first", ["Tenant", "Dead letters", "Endpoints", "Oldest", "Newest", "Actions"],
                rows, "No dead letters.")}
            """);
    }

    private static async Task<IResult> TenantDeadLetters(Guid tenantId, HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var tenant = await mediator.Send(new GetTenantQuery(tenantId), ct);
        var query = ListQueryParser.Parse(ListWebhookDeliveriesQuery.Spec,
            new ListParameters("25", ConsoleWebhookPages.Param(http, "cursor"), null, new Dictionary<string, string> { ["status"] = WebhookDeliveryStatuses.Failed }));
        var page = await mediator.Send(new ListWebhookDeliveriesQuery(tenantId, null, query), ct);
        var rows = string.Join("\n", page.Data.Select(d => $"""
            <tr><td><a href="/admin/dead-letters/{tenantId}/{d.Id}">{E(d.EventType)}</a></td><td><code>{d.EndpointId}</code></td><td>{Time(d.CreatedAt)}</td>
            <td>{d.AttemptCount}</td><td>{(d.LastStatusCode is { } code ? code.ToString(CultureInfo.InvariantCulture) : E(d.LastErrorKind ?? "—"))}</td><td>{E(d.FailureReason ?? "—")}</td>
            <td>{PostButton(http, $"/admin/dead-letters/{tenantId}/{d.Id}/replay", "Replay", $"replay-{d.Id}")}</td></tr>
            """));
        var more = page.HasMore ? $"""<p><a id="next-page" href="/admin/dead-letters/{tenantId}?cursor={Uri.EscapeDataString(page.NextCursor!)}">Older dead letters</a></p>""" : "";
        return Page(http, $"Dead letters of {tenant.Name}", $"""
            <p><a href="/admin/dead-letters">← Dead letters</a></p>
            <h1>Dead letters of <span id="tenant-name">{E(tenant.Name)}</span></h1>
            {Replayed(http)}
            {OperatorHealthPages.Table("tenant-dead-letters", "Dead-lettered deliveries, newest first", ["Event type", "Endpoint", "Created", "Attempts", "Last answer", "Failure reason", "Actions"],
                rows, "No dead letters.")}
            {more}
            """);
    }

    private static async Task<IResult> Delivery(Guid tenantId, Guid deliveryId, HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var d = await Find(mediator, tenantId, deliveryId, ct);
        return Page(http, "Delivery " + d.EventType, $"""
            <p><a href="/admin/dead-letters/{tenantId}">← Dead letters of the tenant</a></p>
            <h1>Delivery of {E(d.EventType)}</h1>
            <dl class="facts">
              <dt>Webhook id</dt><dd><code>{d.Id}</code></dd><dt>Endpoint</dt><dd><code>{d.EndpointId}</code></dd>
              <dt>Status</dt><dd id="delivery-status">{Badge(d.Status)}</dd><dt>Created</dt><dd>{Time(d.CreatedAt)}</dd>
              <dt>Failure reason</dt><dd>{E(d.FailureReason ?? "—")}</dd>
            </dl>
            {(d.Status == WebhookDeliveryStatuses.Failed ? PostButton(http, $"/admin/dead-letters/{tenantId}/{d.Id}/replay", "Replay", "replay") : "")}
            {ConsoleDeliveryPages.Attempts(d.Attempts)}
            """);
    }

    /// <summary>The delivery as the tenant's: an id of another tenant in the URL is "not found".</summary>
    private static Task<WebhookDeliveryDetailDto> Find(IMediator mediator, Guid tenantId, Guid deliveryId, CancellationToken ct) =>
        mediator.Send(new GetWebhookDeliveryQuery(tenantId, deliveryId), ct);
}
