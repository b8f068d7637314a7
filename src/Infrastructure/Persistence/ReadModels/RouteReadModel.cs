using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.Connectors;
using Integrations.Domain.Connectors;
using Integrations.Infrastructure.Persistence.Listing;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.ReadModels;

/// <summary>The routes from <c>connector_routes</c> (migration 0030), without those of deleted connections.</summary>
public sealed class RouteReadModel(DbSession session) : IRouteReadModel
{
    private const string Columns = "id, connection_id, name, event_types, filter::text, action, settings::text, enabled, created_at, updated_at";

    private static readonly KeysetTable Table = new()
    {
        From = "(select *, case when enabled then 'enabled' else 'disabled' end as status from connector_routes where not connection_deleted) connector_routes",
        IdColumn = "id",
        Columns = new Dictionary<string, string> { ["created_at"] = "created_at", ["status"] = "status" },
    };

    public Task<RouteDto?> FindAsync(Guid tenantId, Guid connectionId, Guid routeId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, $"""
                select {Columns} from connector_routes
                where id = @id and tenant_id = @tenant_id and connection_id = @connection_id and not connection_deleted
                """, ("id", routeId), ("tenant_id", tenantId), ("connection_id", connectionId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? Read(reader) : null;
        }, ct);

    public Task<CursorPage<RouteDto>> ListAsync(Guid tenantId, Guid connectionId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => KeysetQuery.ReadPageAsync(connection, transaction, Table, Columns,
            [("connection_id", connectionId), ("tenant_id", tenantId)], query, Read, ct), ct);

    public Task<IReadOnlyList<RouteTarget>> FindEnabledAsync(IReadOnlyCollection<Guid> tenantIds, CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<RouteTarget>>(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                select id, tenant_id, connection_id, provider, event_types, filter::text, action, settings::text, version, created_at from connector_routes
                where tenant_id = any(@tenant_ids) and enabled and not connection_deleted
                """, ("tenant_ids", tenantIds.ToArray()));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var routes = new List<RouteTarget>();
            while (await reader.ReadAsync(ct))
            {
                routes.Add(new RouteTarget(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetFieldValue<string[]>(4),
                    Conditions(reader.GetString(5)), reader.GetString(6), reader.GetString(7), reader.GetInt64(8), reader.GetFieldValue<DateTimeOffset>(9)));
            }
            return routes;
        }, ct);

    private static RouteDto Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetGuid(1),
        reader.IsDBNull(2) ? null : reader.GetString(2),
        reader.GetFieldValue<string[]>(3),
        JsonSerializer.Deserialize<List<RouteConditionDto>>(reader.GetString(4), JsonDefaults.Options)!,
        reader.GetString(5),
        JsonDocument.Parse(reader.GetString(6)).RootElement.Clone(),
        reader.GetBoolean(7),
        reader.GetFieldValue<DateTimeOffset>(8),
        reader.GetFieldValue<DateTimeOffset>(9));

    /// <summary>A stored filter (<see cref="Projections.ConnectorRoutesProjection.Filter"/>) in the domain's terms; webhook hooks store theirs alike.</summary>
    internal static IReadOnlyList<RouteCondition> Conditions(string filter) =>
        JsonSerializer.Deserialize<List<RouteConditionDto>>(filter, JsonDefaults.Options)!.Select(c => new RouteCondition(c.Path, c.Op, c.Value.GetRawText())).ToList();
}
