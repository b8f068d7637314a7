using Integrations.Domain.Common;
using Integrations.Domain.EventTypes;

namespace Integrations.Domain.Connectors;

// A route sends events of some types, passing its filter, to one action of one connection
// ("post invoice.paid over 1,000 EUR to #finance"). The action's settings are checked by the
// action itself (Application knows the provider's actions); here they are an opaque JSON object.

public interface IRouteEvent
{
    Guid RouteId { get; }
}

/// <param name="Provider">The connection's provider (it never changes): the runtime counts its quotas and concurrency by it.</param>
public sealed record RouteCreated(Guid RouteId, Guid TenantId, Guid ConnectionId, string? Name, IReadOnlyList<string> EventTypes,
    IReadOnlyList<RouteCondition> Filter, string Action, string SettingsJson, DateTimeOffset CreatedAt, string? Provider = null) : IRouteEvent;

public sealed record RouteUpdated(Guid RouteId, Guid TenantId, string? Name, IReadOnlyList<string> EventTypes, IReadOnlyList<RouteCondition> Filter,
    string Action, string SettingsJson, DateTimeOffset UpdatedAt) : IRouteEvent;

public sealed record RouteEnabled(Guid RouteId, Guid TenantId, DateTimeOffset At) : IRouteEvent;

public sealed record RouteDisabled(Guid RouteId, Guid TenantId, DateTimeOffset At) : IRouteEvent;

/// <summary>Also written for each route when its connection is deleted.</summary>
public sealed record RouteDeleted(Guid RouteId, Guid TenantId, DateTimeOffset DeletedAt) : IRouteEvent;

public abstract record RouteCommand;

/// <param name="SettingsJson">The action's settings, already checked by the action, as a JSON object.</param>
public sealed record CreateRoute(Guid RouteId, Guid TenantId, Guid ConnectionId, string? Name, IReadOnlyList<string> EventTypes,
    IReadOnlyList<RouteCondition> Filter, string Action, string SettingsJson, DateTimeOffset Now, string? Provider = null) : RouteCommand;

/// <summary>A merge: null keeps what the route has.</summary>
public sealed record UpdateRoute(string? Name, IReadOnlyList<string>? EventTypes, IReadOnlyList<RouteCondition>? Filter, string? Action,
    string? SettingsJson, bool? Enabled, DateTimeOffset Now) : RouteCommand;

public sealed record DeleteRoute(DateTimeOffset Now) : RouteCommand;

public sealed record RouteState(Guid RouteId, Guid TenantId, Guid ConnectionId, string? Name, IReadOnlyList<string> EventTypes,
    IReadOnlyList<RouteCondition> Filter, string Action, string SettingsJson, bool Enabled, bool Deleted)
{
    public static readonly RouteState None = new(Guid.Empty, Guid.Empty, Guid.Empty, null, [], [], "", "{}", false, false);

    public bool Exists => RouteId != Guid.Empty && !Deleted;
}

public static class RouteDecider
{
    public const int MaxNameLength = 200;

    public static readonly Decider<RouteCommand, RouteState, IRouteEvent> Decider = new(Decide, Evolve, RouteState.None);

    public static string StreamId(Guid routeId) => $"route-{routeId:N}";

    public static IReadOnlyList<IRouteEvent> Decide(RouteCommand command, RouteState state) => command switch
    {
        CreateRoute when state.RouteId != Guid.Empty => throw new DomainException("route_exists", "The route already exists."),
        CreateRoute c => [new RouteCreated(c.RouteId, c.TenantId, c.ConnectionId, Name(c.Name), EventTypeSubscription.Normalize(c.EventTypes),
            RouteFilter.Parse(c.Filter).Conditions, Action(c.Action), c.SettingsJson, c.Now, c.Provider)],
        _ when !state.Exists => throw new DomainException("route_not_found", "The route does not exist."),
        UpdateRoute c => Update(c, state),
        DeleteRoute c => [new RouteDeleted(state.RouteId, state.TenantId, c.Now)],
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown route command."),
    };

    public static RouteState Evolve(RouteState state, IRouteEvent @event) => @event switch
    {
        RouteCreated e => new RouteState(e.RouteId, e.TenantId, e.ConnectionId, e.Name, e.EventTypes, e.Filter, e.Action, e.SettingsJson, true, false),
        RouteUpdated e => state with { Name = e.Name, EventTypes = e.EventTypes, Filter = e.Filter, Action = e.Action, SettingsJson = e.SettingsJson },
        RouteEnabled => state with { Enabled = true },
        RouteDisabled => state with { Enabled = false },
        RouteDeleted => state with { Deleted = true },
        _ => state,
    };

    private static IReadOnlyList<IRouteEvent> Update(UpdateRoute c, RouteState state)
    {
        var events = new List<IRouteEvent>();
        var name = c.Name is null ? state.Name : Name(c.Name);
        var types = c.EventTypes is null ? state.EventTypes : EventTypeSubscription.Normalize(c.EventTypes);
        var filter = c.Filter is null ? state.Filter : RouteFilter.Parse(c.Filter).Conditions;
        var action = c.Action is null ? state.Action : Action(c.Action);
        var settings = c.SettingsJson ?? state.SettingsJson;
        if (name != state.Name || !types.SequenceEqual(state.EventTypes) || !filter.SequenceEqual(state.Filter) || action != state.Action ||
            settings != state.SettingsJson)
            events.Add(new RouteUpdated(state.RouteId, state.TenantId, name, types, filter, action, settings, c.Now));
        if (c.Enabled is { } enabled && enabled != state.Enabled)
            events.Add(enabled ? new RouteEnabled(state.RouteId, state.TenantId, c.Now) : new RouteDisabled(state.RouteId, state.TenantId, c.Now));
        return events;
    }

    /// <summary>An empty name is no name, so a merge patch can remove it.</summary>
    private static string? Name(string? name) => name switch
    {
        null or "" => null,
        { Length: > MaxNameLength } => throw new DomainException("invalid_route", $"name is longer than {MaxNameLength} characters."),
        _ => name,
    };

    private static string Action(string action) =>
        string.IsNullOrWhiteSpace(action) ? throw new DomainException("invalid_route", "action is required.") : action;
}
