using System.Collections.Concurrent;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Connectors;
using Integrations.Domain.EventTypes;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Connectors.Pipelines.Routing;

/// <summary>An accepted event as Kafka handed it to the dispatch: its data travels with it.</summary>
public sealed record RoutedEvent(Guid EventId, Guid TenantId, string EventType, DateTimeOffset Timestamp, JsonElement Data);

/// <summary>
/// The routing step of the connector runtime, run by the events dispatch in its transaction (ADR 0029,
/// <see cref="EventDispatch.Commands.DispatchEvents.DispatchEventsCommand"/>): every enabled route of the
/// event's tenant whose types and filter match makes one call (not for events accepted before the route
/// was created), its request prepared by the route's action from the event, written to the call ledger.
/// A call's id is named by the event and the route, so a redelivered event adds nothing. Nothing here
/// talks to a provider: a slow or dead one never holds up the dispatch.
/// Loop prevention (ADR 0027): an event answering a product command (its <c>data.command_id</c>) that a
/// connection caused is not routed back to that connection, so a Jira change the product carried out
/// is not written to Jira again — except an <c>entity.created</c> answering a connection's <c>entity.create</c> that named the
/// provider's record (<c>data.link</c>): that links the two and goes to the connection once, which writes our id there. A writing
/// action's writes (<see cref="IWritingConnectorAction"/>) are remembered with its call. An action on a linked record (<see cref="ILinkedRecordAction"/>) gets the
/// provider's id of the record the event is about from the connection's identity map; an event about a record
/// that is not linked there makes no call (logged at debug: most records of a type never went to the provider).
/// </summary>
public sealed class ConnectorRouting(
    IRouteReadModel routes, IConnectorCallLedger ledger, IConnectorActions actions, RouteCache cache, IClock clock, ILogger<ConnectorRouting> logger,
    ProductBridge.IProductCommandReadModel commands, Connections.IConnectionLinks links, IConnectorWrites writes)
{
    /// <summary>Writes the calls of these events in the caller's transaction; returns how many were new.</summary>
    public async Task<int> RouteAsync(IReadOnlyList<RoutedEvent> events, CancellationToken cancellationToken)
    {
        var byTenant = (await routes.FindEnabledAsync(events.Select(e => e.TenantId).Distinct().ToList(), cancellationToken))
            .GroupBy(r => r.TenantId).ToDictionary(g => g.Key, g => g.ToList());
        if (byTenant.Count == 0) return 0;
        var calls = new List<NewConnectorCall>();
        var now = clock.UtcNow;
        foreach (var e in events)
        {
            if (!byTenant.TryGetValue(e.TenantId, out var tenantRoutes)) continue;
            var templateEvent = new TemplateEvent(e.EventId, e.EventType, e.TenantId, e.Timestamp);
            var answered = await AnsweredCommandAsync(e, cancellationToken);
            var causedBy = answered?.Origin.ConnectionId;
            var linkedNow = causedBy is { } connection && answered is not null && await LinkAnsweredCreateAsync(e, answered, connection, cancellationToken);
            foreach (var route in tenantRoutes)
            {
                // A record the connection asked the product to make goes back to it once, linked now: its id is written there.
                if (route.ConnectionId == causedBy && !linkedNow) continue;
                if (e.Timestamp < route.CreatedAt || !EventTypeSubscription.Includes(route.EventTypes, e.EventType)
                    || !cache.Filter(route).Matches(templateEvent, e.Data)) continue;
                if (actions.Find(route.Action) is not { } action)
                {
                    // Stored by a platform that offered it; this one does not (a provider turned off): nothing to send with.
                    logger.LogWarning("Route {RouteId} uses action {Action}, which this platform does not offer; event {EventId} is not sent", route.RouteId,
                        route.Action, e.EventId);
                    continue;
                }
                var prepared = action switch
                {
                    ILinkedRecordAction linked => await PrepareForLinkedAsync(linked, route, templateEvent, e.Data, cancellationToken),
                    ILinkPreferringAction preferring => await PrepareLinkPreferringAsync(preferring, route, templateEvent, e.Data, cancellationToken),
                    _ => action.Prepare(route.SettingsJson, templateEvent, e.Data),
                };
                if (prepared is null) continue;
                var callId = ConnectorCallPolicy.CallId(e.EventId, route.RouteId);
                calls.Add(new NewConnectorCall(callId, e.TenantId, route.ConnectionId, route.RouteId,
                    route.Provider, route.Action, e.EventId, e.EventType, prepared, now));
                if (action is IWritingConnectorAction writing)
                    foreach (var write in writing.WritesOf(prepared))
                        await writes.RememberAsync(e.TenantId, route.ConnectionId, callId, write, now, cancellationToken);
            }
        }
        return calls.Count == 0 ? 0 : await ledger.AddAsync(calls, cancellationToken);
    }

    /// <summary>The request for the provider's record linked with the one the event is about; null when it needs none or there is no link.</summary>
    private async Task<PreparedRequest?> PrepareForLinkedAsync(ILinkedRecordAction action, RouteTarget route, TemplateEvent e, JsonElement data, CancellationToken ct)
    {
        if (action.RecordOf(route.SettingsJson, e, data) is not { } record) return null;
        var link = await links.FindByEntityAsync(e.TenantId, route.ConnectionId, record.EntityType, record.EntityId, ct);
        if (link is not null && link.ExternalType == record.ExternalType) return action.PrepareFor(route.SettingsJson, e, data, link.ExternalId);
        logger.LogDebug("Route {RouteId}: event {EventId} is about {EntityType} {EntityId}, which connection {ConnectionId} has no {ExternalType} link for; no call",
            route.RouteId, e.Id, record.EntityType, record.EntityId, route.ConnectionId, record.ExternalType);
        return null;
    }

    /// <summary>The request with the provider's ids of the records the identity map links (our record's, and related ones').</summary>
    private async Task<PreparedRequest?> PrepareLinkPreferringAsync(ILinkPreferringAction preferring, RouteTarget route, TemplateEvent e, JsonElement data,
        CancellationToken ct)
    {
        if (preferring.RecordsOf(route.SettingsJson, e, data) is not { } records) return null;
        var related = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, record) in records.Related)
            if (await ExternalIdAsync(e.TenantId, route.ConnectionId, record, ct) is { } id) related[name] = id;
        return preferring.PrepareWith(route.SettingsJson, e, data, await ExternalIdAsync(e.TenantId, route.ConnectionId, records.Record, ct), related);
    }

    private async Task<string?> ExternalIdAsync(Guid tenantId, Guid connectionId, LinkedRecordRef record, CancellationToken ct) =>
        await links.FindByEntityAsync(tenantId, connectionId, record.EntityType, record.EntityId, ct) is { } link && link.ExternalType == record.ExternalType
            ? link.ExternalId
            : null;

    /// <summary>
    /// An <c>entity.created</c> answering a connection's <c>entity.create</c> whose data names the provider's record it came
    /// from (<c>data.link: {external_type, external_id}</c>, HubSpot's create_back) links the new record with it; true when it did.
    /// </summary>
    private async Task<bool> LinkAnsweredCreateAsync(RoutedEvent e, ProductBridge.ProductCommandDto command, Guid connectionId, CancellationToken ct)
    {
        if (command.Command != Domain.ProductBridge.ProductCommandRules.EntityCreate || e.EventType != "entity.created") return false;
        if (!command.Data.TryGetProperty("link", out var link) || link.ValueKind != JsonValueKind.Object
            || Text(link, "external_type") is not { } externalType || Text(link, "external_id") is not { } externalId
            || Text(e.Data, "entity_type") is not { } entityType || Text(e.Data, "entity_id") is not { } entityId) return false;
        await links.LinkAsync(e.TenantId, connectionId, entityType, entityId, externalType, externalId, ct);
        return true;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && value.GetString() is { Length: > 0 } text ? text : null;

    /// <summary>The product command this event answers (its origin names the connection whose change caused it), or null.</summary>
    private async Task<ProductBridge.ProductCommandDto?> AnsweredCommandAsync(RoutedEvent e, CancellationToken ct)
    {
        if (e.Data.ValueKind != JsonValueKind.Object || !e.Data.TryGetProperty("command_id", out var id) || id.ValueKind != JsonValueKind.String
            || !Guid.TryParse(id.GetString(), out var commandId)) return null;
        return await commands.FindAsync(e.TenantId, commandId, ct);
    }
}

/// <summary>Parsed route filters, by route and version: a route's filter is parsed once, not once per event.</summary>
public sealed class RouteCache
{
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<(Guid RouteId, long Version), RouteFilter> _filters = new();

    public RouteFilter Filter(RouteTarget route)
    {
        if (_filters.TryGetValue((route.RouteId, route.Version), out var filter)) return filter;
        // Versions replace each other: a full cache starts over rather than keeping stale ones.
        if (_filters.Count >= MaxEntries) _filters.Clear();
        return _filters[(route.RouteId, route.Version)] = RouteFilter.Parse(route.Filter);
    }
}
