using System.Text.Json;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connectors.Registrations;
using Integrations.Application.Providers;
using Integrations.Domain.Connections;
using Integrations.Domain.Connectors;

namespace Integrations.Application.Connectors;

/// <summary>
/// Runs route commands: the route must belong to the tenant and to a connection of it that exists
/// (another tenant's, a deleted one or an unknown id is "not found", never "forbidden": ADR 0005),
/// and the action must be one the connection's provider offers, with settings that action accepts.
/// </summary>
public sealed class RouteAggregate(
    AggregateStore aggregates, IProviderCatalog providers, IConnectorActions actions, IProviderRegistrations registrations, IClock clock)
{
    public static NotFoundException ConnectionNotFound() => new("connection_not_found", "No such connection.");

    public static NotFoundException RouteNotFound() => new("route_not_found", "No such route.");

    /// <summary>The tenant's live connection, or "not found".</summary>
    public async Task<ConnectionState> ConnectionAsync(Guid tenantId, Guid connectionId, CancellationToken ct)
    {
        var connection = (await aggregates.LoadAsync(ConnectionDecider.Decider, ConnectionDecider.StreamId(connectionId), tenantId, ct)).State;
        if (!connection.Exists || connection.TenantId != tenantId) throw ConnectionNotFound();
        return connection;
    }

    /// <summary>The action checked against the connection's provider, and its settings as the action stores them.</summary>
    public async Task<(string Action, string SettingsJson)> CheckActionAsync(ConnectionState connection, string action, JsonElement settings, CancellationToken ct)
    {
        var provider = providers.Find(connection.Provider);
        if (provider is null || !provider.Actions.Contains(action) || actions.Find(action) is not { } implementation)
        {
            var offered = provider?.Actions ?? [];
            throw new ValidationException([new ValidationError("action", "unknown_action",
                $"The {connection.Provider} provider offers {(offered.Count == 0 ? "no actions" : string.Join(", ", offered))}; '{action}' is not one of them.")]);
        }
        return (action, await implementation.CheckSettingsAsync(settings, ct));
    }

    public async Task<Decided<RouteState, IRouteEvent>> HandleAsync(Guid tenantId, Guid connectionId, Guid routeId, RouteCommand command, CancellationToken ct)
    {
        var streamId = RouteDecider.StreamId(routeId);
        var loaded = await aggregates.LoadAsync(RouteDecider.Decider, streamId, tenantId, ct);
        if (!loaded.State.Exists || loaded.State.TenantId != tenantId || loaded.State.ConnectionId != connectionId) throw RouteNotFound();
        var decided = (await aggregates.HandleAsync(RouteDecider.Decider, [new StreamCommands<RouteCommand>(streamId, tenantId, [command])], ct,
            new Dictionary<string, Loaded<RouteState>> { [streamId] = loaded }))[0];
        await RoutesChangedAsync(tenantId, connectionId, ct);
        return decided;
    }

    /// <summary>What the connection needs registered at its provider may have changed: its registrations are checked at the next sweep (ADR 0028).</summary>
    public Task RoutesChangedAsync(Guid tenantId, Guid connectionId, CancellationToken ct) => registrations.MarkDueAsync(tenantId, connectionId, clock.UtcNow, ct);
}
