using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Domain.Webhooks;
using Integrations.Infrastructure.Persistence.Listing;
using Integrations.Infrastructure.Persistence.Projections;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.ReadModels;

/// <summary>
/// Endpoints from <c>webhook_endpoints</c>. Tenant reads follow the list conventions (keyset over
/// tenant_id, created_at, id); the delivery side reads targets, secrets still protected.
/// </summary>
public sealed class WebhookEndpointReadModel(DbSession session) : IWebhookEndpointReadModel
{
    private const string Columns = """
        id, url, event_types, description, rate_limit_per_minute, status, disabled_reason, disabled_message, disabled_at,
        created_at, updated_at
        """;

    private static readonly KeysetTable Table = new()
    {
        From = "webhook_endpoints",
        IdColumn = "id",
        Columns = new Dictionary<string, string> { ["created_at"] = "created_at", ["status"] = "status" },
    };

    private const string TargetColumns = "id, tenant_id, url, event_types, rate_limit_per_minute, status, secrets, kind, filter";

    public Task<WebhookEndpointDto?> FindAsync(Guid tenantId, Guid endpointId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction,
                $"select {Columns} from webhook_endpoints where id = @id and tenant_id = @tenant_id", ("id", endpointId), ("tenant_id", tenantId));
            return (await ReadEndpointsAsync(command, ct)).SingleOrDefault();
        }, ct);

    public Task<CursorPage<WebhookEndpointDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) =>
            KeysetQuery.ReadPageAsync(connection, transaction, Table, Columns, [("tenant_id", tenantId)], query, ReadEndpoint, ct), ct);

    public Task<WebhookEndpointTarget?> FindTargetAsync(Guid tenantId, Guid endpointId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction,
                $"select {TargetColumns} from webhook_endpoints where id = @id and tenant_id = @tenant_id", ("id", endpointId), ("tenant_id", tenantId));
            return (await ReadTargetsAsync(command, ct)).SingleOrDefault();
        }, ct);

    public Task<IReadOnlyList<WebhookEndpointTarget>> ListSubscribedAsync(Guid tenantId, string eventType, CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<WebhookEndpointTarget>>(async (connection, transaction) =>
        {
            // && (overlap) is what the GIN index on event_types serves.
            await using var command = Sql.Command(connection, transaction, $"""
                select {TargetColumns} from webhook_endpoints
                where tenant_id = @tenant_id and status = 'enabled' and event_types && @types
                order by sequence
                """, ("tenant_id", tenantId), ("types", new[] { eventType, WebhookEndpointDecider.Wildcard }));
            return await ReadTargetsAsync(command, ct);
        }, ct);

    private static async Task<List<WebhookEndpointDto>> ReadEndpointsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<WebhookEndpointDto>();
        while (await reader.ReadAsync(ct)) rows.Add(ReadEndpoint(reader));
        return rows;
    }

    private static WebhookEndpointDto ReadEndpoint(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetString(1),
        reader.GetFieldValue<string[]>(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.GetInt32(4),
        reader.GetString(5),
        reader.IsDBNull(6) ? null : reader.GetString(6),
        reader.IsDBNull(7) ? null : reader.GetString(7),
        reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
        reader.GetFieldValue<DateTimeOffset>(9),
        reader.GetFieldValue<DateTimeOffset>(10));

    private static async Task<List<WebhookEndpointTarget>> ReadTargetsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var targets = new List<WebhookEndpointTarget>();
        while (await reader.ReadAsync(ct))
        {
            targets.Add(new WebhookEndpointTarget(
                reader.GetGuid(0),
                reader.GetGuid(1),
                reader.GetString(2),
                reader.GetFieldValue<string[]>(3),
                reader.GetInt32(4),
                reader.GetString(5),
                WebhookEndpointsProjection.DeserializeSecrets(reader.GetString(6)),
                reader.GetString(7),
                RouteReadModel.Conditions(reader.GetString(8))));
        }
        return targets;
    }
}
