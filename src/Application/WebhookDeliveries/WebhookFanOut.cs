using System.Text.Json;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Connectors;
using Integrations.Domain.Webhooks;

namespace Integrations.Application.WebhookDeliveries;

/// <summary>An accepted event as the fan-out needs it; <paramref name="Data"/> and <paramref name="Timestamp"/> for hooks' filters (null data: an empty object).</summary>
public sealed record FanOutEvent(Guid EventId, Guid TenantId, string EventType, DateTimeOffset Timestamp = default, JsonElement? Data = null);

/// <summary>
/// Creates a delivery for every enabled endpoint of the event's tenant that subscribes to its type
/// (and, for a hook with a filter, whose filter the event passes: <see cref="RouteFilter"/>),
/// for a whole batch of events in the caller's transaction, each with its queue row (<see cref="WebhookDeliveryLedger"/>). The caller passes only events being
/// dispatched in that transaction (never fanned out before), so their delivery streams cannot
/// exist yet and are not read: the delivery ids are derived from (event, endpoint), and if a stream
/// did exist its creation would fail the transaction's concurrency check instead of duplicating it.
/// </summary>
public sealed class WebhookFanOut(WebhookDeliveryLedger ledger, IWebhookEndpointReadModel endpoints, IClock clock)
{
    /// <param name="events">Events dispatched in the caller's transaction.</param>
    /// <returns>How many deliveries were created.</returns>
    public async Task<int> CreateDeliveriesAsync(IReadOnlyList<FanOutEvent> events, CancellationToken ct)
    {
        var now = clock.UtcNow;
        var subscribers = new Dictionary<(Guid TenantId, string EventType), IReadOnlyList<WebhookEndpointTarget>>();
        var batch = new List<StreamCommands<WebhookDeliveryCommand>>();
        var planned = new HashSet<Guid>();
        var filters = new Dictionary<Guid, RouteFilter>();
        foreach (var e in events)
        {
            if (!subscribers.TryGetValue((e.TenantId, e.EventType), out var targets))
            {
                targets = await endpoints.ListSubscribedAsync(e.TenantId, e.EventType, ct);
                subscribers[(e.TenantId, e.EventType)] = targets;
            }
            // The read model is scoped by tenant already; checking again costs nothing and keeps the rule local.
            foreach (var endpoint in targets.Where(t => t.TenantId == e.TenantId))
            {
                var id = WebhookDeliveryDecider.DeliveryId(e.EventId, endpoint.Id);
                if (!Passes(endpoint, e, filters) || !planned.Add(id)) continue;
                batch.Add(new StreamCommands<WebhookDeliveryCommand>(WebhookDeliveryDecider.StreamId(id), e.TenantId,
                    [new CreateWebhookDelivery(id, e.TenantId, endpoint.Id, e.EventId, e.EventType, IsTest: false, now)]));
            }
        }
        var fresh = batch.ToDictionary(b => b.StreamId, _ => new Loaded<WebhookDeliveryState>(WebhookDeliveryDecider.Decider.Initial, IEventStore.NoStream));
        var decided = await ledger.HandleAsync(batch, ct, fresh);
        return decided.Count(d => d.Events.Count > 0);
    }

    private static readonly JsonElement NoData = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>Nothing passes a stored filter that no longer parses (a release that dropped an operator): it must not stop the fan-out of everyone's events.</summary>
    private static RouteFilter ParseStored(IReadOnlyList<RouteCondition> conditions)
    {
        try
        {
            return RouteFilter.Parse(conditions);
        }
        catch (Domain.Common.DomainException)
        {
            return Nothing;
        }
    }

    private static readonly RouteFilter Nothing = RouteFilter.Parse([new RouteCondition("event.id", "exists", "false")]);

    /// <summary>Whether a hook's filter holds for the event; endpoints (and hooks without a filter) take every event of their types.</summary>
    private static bool Passes(WebhookEndpointTarget endpoint, FanOutEvent e, Dictionary<Guid, RouteFilter> filters)
    {
        if (endpoint.Filter is not { Count: > 0 } conditions) return true;
        if (!filters.TryGetValue(endpoint.Id, out var filter)) filters[endpoint.Id] = filter = ParseStored(conditions);
        return filter.Matches(new TemplateEvent(e.EventId, e.EventType, e.TenantId, e.Timestamp), e.Data ?? NoData);
    }
}
