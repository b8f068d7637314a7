using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Connections;
using Integrations.Domain.Connectors;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Route streams into <c>connector_routes</c>, inline (a route's request reads its own write, and
/// the connector pipeline matches events against it at once). A deleted connection marks its routes
/// (<c>connection_deleted</c>): they stop matching and leave the lists, whatever their own stream says.
/// </summary>
public sealed class ConnectorRoutesProjection : SqlProjection
{
    public override string Name => "connector_routes";

    public override IReadOnlyList<string> Tables { get; } = ["connector_routes"];

    public override IReadOnlySet<Type> Handles { get; } = new HashSet<Type>
    {
        typeof(RouteCreated), typeof(RouteUpdated), typeof(RouteEnabled), typeof(RouteDisabled), typeof(RouteDeleted), typeof(ConnectionDeleted),
    };

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events) => events.Select(Statement).OfType<SqlStatement>();

    private static SqlStatement? Statement(StoredEvent @event)
    {
        var version = @event.StreamVersion;
        return @event.Data switch
        {
            RouteCreated e => new SqlStatement("""
                insert into connector_routes (id, tenant_id, connection_id, provider, name, event_types, filter, action, settings, enabled, created_at, updated_at, version)
                values (@id, @tenant_id, @connection_id, @provider, @name, @event_types, @filter, @action, @settings, true, @at, @at, @version)
                on conflict (id) do update set tenant_id = excluded.tenant_id, connection_id = excluded.connection_id, provider = excluded.provider,
                    name = excluded.name, event_types = excluded.event_types, filter = excluded.filter, action = excluded.action,
                    settings = excluded.settings, enabled = true, connection_deleted = false, created_at = excluded.created_at,
                    updated_at = excluded.updated_at, version = excluded.version
                """).With("id", e.RouteId).With("tenant_id", e.TenantId).With("connection_id", e.ConnectionId).With("provider", e.Provider ?? "", NpgsqlDbType.Text)
                .With("name", e.Name, NpgsqlDbType.Text).With("event_types", e.EventTypes.ToArray()).With("filter", Filter(e.Filter), NpgsqlDbType.Jsonb)
                .With("action", e.Action).With("settings", e.SettingsJson, NpgsqlDbType.Jsonb).With("at", Sql.Utc(e.CreatedAt)).With("version", version),
            RouteUpdated e => new SqlStatement("""
                update connector_routes set name = @name, event_types = @event_types, filter = @filter, action = @action, settings = @settings,
                    updated_at = @at, version = @version where id = @id
                """).With("id", e.RouteId).With("name", e.Name, NpgsqlDbType.Text).With("event_types", e.EventTypes.ToArray())
                .With("filter", Filter(e.Filter), NpgsqlDbType.Jsonb).With("action", e.Action).With("settings", e.SettingsJson, NpgsqlDbType.Jsonb)
                .With("at", Sql.Utc(e.UpdatedAt)).With("version", version),
            RouteEnabled e => Enabled(e.RouteId, true, e.At, version),
            RouteDisabled e => Enabled(e.RouteId, false, e.At, version),
            RouteDeleted e => new SqlStatement("delete from connector_routes where id = @id").With("id", e.RouteId),
            ConnectionDeleted e => new SqlStatement("update connector_routes set connection_deleted = true, updated_at = @at where connection_id = @connection_id")
                .With("connection_id", e.ConnectionId).With("at", Sql.Utc(e.DeletedAt)),
            _ => null,
        };
    }

    private static SqlStatement Enabled(Guid routeId, bool enabled, DateTimeOffset at, long version) =>
        new SqlStatement("update connector_routes set enabled = @enabled, updated_at = @at, version = @version where id = @id")
            .With("id", routeId).With("enabled", enabled).With("at", Sql.Utc(at)).With("version", version);

    /// <summary>The conditions as stored: {path, op, value} with the value as the JSON it is.</summary>
    public static string Filter(IReadOnlyList<RouteCondition> conditions) =>
        "[" + string.Join(",", conditions.Select(c =>
            $"{{\"path\":{JsonSerializer.Serialize(c.Path, JsonDefaults.Options)},\"op\":{JsonSerializer.Serialize(c.Op, JsonDefaults.Options)},\"value\":{c.Value ?? "null"}}}")) + "]";
}
