using System.Text.Json;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Domain.Connectors;

namespace Integrations.Application.Connectors;

/// <summary>One condition of a route's filter; <see cref="Value"/> is the JSON literal it compares with.</summary>
public sealed record RouteConditionDto(string Path, string Op, JsonElement Value);

/// <summary>A route as its tenant sees it.</summary>
/// <param name="Settings">The action's settings, as the action stored them.</param>
public sealed record RouteDto(
    Guid Id,
    Guid ConnectionId,
    string? Name,
    IReadOnlyList<string> EventTypes,
    IReadOnlyList<RouteConditionDto> Filter,
    string Action,
    JsonElement Settings,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>An enabled route as the connector pipeline matches events against it.</summary>
/// <param name="Version">The route stream's version: parsed filters and templates are cached by it.</param>
/// <param name="CreatedAt">A route acts on the events accepted from then on, not on older ones the pipeline reads late.</param>
public sealed record RouteTarget(
    Guid RouteId,
    Guid TenantId,
    Guid ConnectionId,
    string Provider,
    IReadOnlyList<string> EventTypes,
    IReadOnlyList<RouteCondition> Filter,
    string Action,
    string SettingsJson,
    long Version,
    DateTimeOffset CreatedAt);

/// <summary>The connector_routes projection of the route streams.</summary>
public interface IRouteReadModel
{
    /// <summary>The tenant's route of that connection; null if there is none, it is another's, or its connection was deleted.</summary>
    Task<RouteDto?> FindAsync(Guid tenantId, Guid connectionId, Guid routeId, CancellationToken ct);

    /// <summary>A connection's routes, newest first by default, keyset-paginated.</summary>
    Task<CursorPage<RouteDto>> ListAsync(Guid tenantId, Guid connectionId, ListQuery query, CancellationToken ct);

    /// <summary>The enabled routes of these tenants whose connection is not deleted.</summary>
    Task<IReadOnlyList<RouteTarget>> FindEnabledAsync(IReadOnlyCollection<Guid> tenantIds, CancellationToken ct);
}
