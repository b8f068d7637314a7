using System.Globalization;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.ConsumerLag.Queries.GetConsumerLag;
using Integrations.Application.DeliveryStats.Queries.GetDeliveryStats;
using Integrations.Application.IntegrationHealth.Queries.GetIntegrationHealth;
using Integrations.Application.Projections.Queries.ListProjections;
using Integrations.Application.Tenants.Queries.GetTenant;
using Integrations.Domain.Connections;
using MediatR;
using static Integrations.Api.Console.ConsoleHtml;

namespace Integrations.Api.Console;

/// <summary>
/// The operator's integration health across tenants (GET /api/v1/admin/integration-health,
/// …/delivery-stats, …/consumer-lag and …/projections as pages), worst first, with a drill-down to one tenant.
/// </summary>
public static class OperatorHealthPages
{
    public static RouteGroupBuilder MapOperatorHealthPages(this RouteGroupBuilder admin)
    {
        admin.MapGet("/", Dashboard);
        admin.MapGet("/tenants/{tenantId:guid}", TenantDetail);
        return admin;
    }

    private static async Task<IResult> Dashboard(HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var health = await mediator.Send(new GetIntegrationHealthQuery(), ct);
        var projections = await mediator.Send(new ListProjectionsQuery(), ct);
        var stats = await mediator.Send(new GetDeliveryStatsQuery(null, Window(http)), ct);
        var consumers = await mediator.Send(new GetConsumerLagQuery(), ct);
        var names = await TenantNames(mediator, health.Tenants.Select(t => t.TenantId), ct);
        var tenants = string.Join("\n", health.Tenants.Select(t => $"""
            <tr data-tenant="{t.TenantId}"><td><a href="/admin/tenants/{t.TenantId}">{E(names[t.TenantId])}</a></td>
            <td>{Rate(t.DeliverySuccessRate)} <span class="muted">({t.Succeeded}/{t.Attempts})</span></td><td>{t.WebhookDeadLettered}</td><td>{t.ConnectionDeadLetters}</td>
            <td>{t.OpenCircuits}</td><td>{t.NeedsReauth}</td><td>{t.DisabledEndpoints} of {t.WebhookEndpoints}</td><td>{t.PendingDeliveries}</td></tr>
            """));
        var reauth = health.Connections.Where(c => c.Status == ConnectionStatuses.NeedsReauth).GroupBy(c => c.Provider).ToDictionary(g => g.Key, g => g.Count());
        var providers = string.Join("\n", health.Providers.Select(p => $"""
            <tr><td>{E(p.Provider)}</td><td>{p.Connections}</td><td>{p.OpenCircuits}</td><td>{reauth.GetValueOrDefault(p.Provider)}</td>
            <td>{Rate(p.LastHour.ErrorRate)} <span class="muted">({p.LastHour.Failed}/{p.LastHour.Calls})</span></td><td>{p.DeadLetters}</td><td>{p.QueueDepth}</td>
            <td>{p.RefreshFailures}</td><td>{Time(p.LastSuccessAt)}</td></tr>
            """));
        var groups = string.Join("\n", consumers.Groups.Select(g => $"""
            <tr data-group="{E(g.Group)}"><td><code>{E(g.Group)}</code></td><td><code>{E(g.Topic)}</code></td><td class="lag">{(g.Lag is { } l ? l.ToString(CultureInfo.InvariantCulture) : "—")}</td>
            <td>{(g.Error is null ? $"{g.Partitions.Count(p => p.Lag > 0)} of {g.Partitions.Count}" : E(g.Error))}</td></tr>
            """));
        var lag = string.Join("\n", projections.Data.Select(p => $"""
            <tr><td>{E(p.Name)}</td><td>{E(p.Lifecycle)}</td><td>{p.Lag}</td><td>{Time(p.LastUpdatedAt)}</td></tr>
            """));
        return Page(http, "Integration health", $"""
            <h1>Integration health</h1>
            <p class="muted">Across tenants, worst first, as of {Time(health.GeneratedAt)}. Rates cover the last hour.</p>
            <section aria-labelledby="tenants-title"><h2 id="tenants-title">Tenants</h2>
            {Table("tenants", "Tenants with webhook endpoints or connections, worst first",
                ["Tenant", "Delivery success", "Dead-lettered (webhooks, last hour)", "Dead letters (connections)", "Open breakers", "Need re-authorisation", "Disabled endpoints", "Waiting deliveries"],
                tenants, "No tenant has a webhook endpoint or a connection yet.")}
            </section>
            <section aria-labelledby="deliveries-title"><h2 id="deliveries-title">Webhook deliveries over time</h2>
            {OperatorCharts.DeliveryCharts(stats, "/admin")}
            </section>
            <section aria-labelledby="providers-title"><h2 id="providers-title">Providers</h2>
            {Table("providers", "Providers, worst first", ["Provider", "Connections", "Open breakers", "Need re-authorisation", "Error rate", "Dead letters", "Queue depth", "Refresh failures", "Last success"],
                providers, "No connections yet.")}
            </section>
            <section aria-labelledby="consumers-title"><h2 id="consumers-title">Consumer lag</h2>
            <p class="muted">Messages of each topic the platform's consumer groups have not committed past, as of {Time(consumers.GeneratedAt)}.</p>
            {Table("consumer-lag", "Kafka consumer groups, most behind first", ["Group", "Topic", "Lag (messages)", "Partitions behind"], groups, "No consumer groups.")}
            </section>
            <section aria-labelledby="lag-title"><h2 id="lag-title">Projection lag</h2>
            <p class="muted">Events behind the event log's high-water mark ({projections.HighWaterMark}).</p>
            {Table("projections", "Read models and their lag", ["Projection", "Lifecycle", "Lag (events)", "Last updated"], lag, "No projections.")}
            </section>
            """);
    }

    private static async Task<IResult> TenantDetail(Guid tenantId, HttpContext http, IMediator mediator, CancellationToken ct)
    {
        var tenant = await mediator.Send(new GetTenantQuery(tenantId), ct);
        var health = await mediator.Send(new GetIntegrationHealthQuery(), ct);
        var summary = health.Tenants.FirstOrDefault(t => t.TenantId == tenantId);
        var stats = await mediator.Send(new GetDeliveryStatsQuery(tenantId, Window(http)), ct);
        var endpoints = string.Join("\n", health.WebhookEndpoints.Where(e => e.TenantId == tenantId).Select(e => e.Health).Select(h => $"""
            <tr><td><code>{h.EndpointId}</code></td><td>{Badge(h.Status)}</td><td>{E(h.Circuit.State)}</td><td>{h.ConsecutiveFailures}</td>
            <td>{Rate(h.LastHour.SuccessRate)} <span class="muted">({h.LastHour.Succeeded}/{h.LastHour.Attempts})</span></td><td>{h.LastHour.DeadLettered}</td>
            <td>{h.PendingDeliveries}</td><td>{Time(h.LastSuccessAt)}</td></tr>
            """));
        var connections = string.Join("\n", health.Connections.Where(c => c.TenantId == tenantId).Select(c => $"""
            <tr><td><code>{c.ConnectionId}</code></td><td>{E(c.Provider)}</td><td>{E(c.Status ?? "deleted")}</td><td>{E(c.Circuit.State)}</td>
            <td>{Rate(c.LastHour.ErrorRate)} <span class="muted">({c.LastHour.Failed}/{c.LastHour.Calls})</span></td><td>{c.DeadLetters}</td><td>{c.QueueDepth}</td>
            <td>{c.RefreshFailures}</td><td>{Time(c.LastSuccessAt)}</td></tr>
            """));
        return Page(http, tenant.Name, $"""
            <p><a href="/admin">← Integration health</a></p>
            <h1 id="tenant-name">{E(tenant.Name)}</h1>
            <dl class="facts">
              <dt>Tenant id</dt><dd><code>{tenant.Id}</code></dd><dt>Plan</dt><dd>{E(tenant.Plan)}</dd>
              <dt>Delivery success (last hour)</dt><dd id="tenant-success">{Rate(summary?.DeliverySuccessRate)}</dd>
              <dt>Open breakers</dt><dd>{summary?.OpenCircuits ?? 0}</dd>
            </dl>
            <section aria-labelledby="deliveries-title"><h2 id="deliveries-title">Webhook deliveries over time</h2>
            {OperatorCharts.DeliveryCharts(stats, $"/admin/tenants/{tenantId}")}
            </section>
            <section aria-labelledby="endpoints-title"><h2 id="endpoints-title">Webhook endpoints</h2>
            {Table("tenant-endpoints", "Webhook endpoints, worst first", ["Endpoint", "Status", "Breaker", "Failures in a row", "Success", "Dead-lettered", "Waiting", "Last success"],
                endpoints, "No webhook endpoints.")}
            </section>
            <section aria-labelledby="connections-title"><h2 id="connections-title">Connections</h2>
            {Table("tenant-connections", "Connections, worst first", ["Connection", "Provider", "Status", "Breaker", "Error rate", "Dead letters", "Queue depth", "Refresh failures", "Last success"],
                connections, "No connections.")}
            </section>
            """);
    }

    /// <summary>The chart window the page asks for (1h or 24h; the query refuses anything else).</summary>
    private static string Window(HttpContext http) => ConsoleWebhookPages.Param(http, "window") ?? "24h";

    /// <summary>A tenant deleted since its rows were counted keeps its id as its name.</summary>
    internal static async Task<Dictionary<Guid, string>> TenantNames(IMediator mediator, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var names = new Dictionary<Guid, string>();
        foreach (var id in ids)
        {
            try { names[id] = (await mediator.Send(new GetTenantQuery(id), ct)).Name; }
            catch (NotFoundException) { names[id] = id.ToString(); }
        }
        return names;
    }

    internal static string Rate(double? rate) => rate is { } r ? (r * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "—";

    internal static string Table(string id, string caption, IReadOnlyList<string> headings, string rows, string empty) => rows.Length == 0
        ? $"""<p id="{E(id)}-empty" class="muted">{E(empty)}</p>"""
        : $"""
          <table id="{E(id)}"><caption class="sr-only">{E(caption)}</caption>
          <thead><tr>{string.Join("", headings.Select(h => $"<th scope=\"col\">{E(h)}</th>"))}</tr></thead>
          <tbody>{rows}</tbody></table>
          """;
}
