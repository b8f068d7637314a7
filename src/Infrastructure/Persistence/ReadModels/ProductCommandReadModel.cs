using System.Text.Json;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.ProductBridge;
using Integrations.Domain.ProductBridge;
using Integrations.Infrastructure.Persistence.Listing;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.ReadModels;

/// <summary>The command log from <c>product_commands</c>, keyset-paginated over (tenant_id, issued_at, id).</summary>
public sealed class ProductCommandReadModel(DbSession session) : IProductCommandReadModel
{
    private const string Columns = """
        id, command, entity_type, entity_id, data::text, origin_connection_id, origin_provider, origin_external_reference, status,
        callback_attempts, callback_status_code, callback_error_kind, callback_completed_at, correlation_id, causation_id, issued_at
        """;

    private static readonly KeysetTable Table = new()
    {
        From = "product_commands",
        IdColumn = "id",
        Columns = new Dictionary<string, string>
        {
            ["issued_at"] = "issued_at",
            ["status"] = "status",
            ["command"] = "command",
            ["entity_type"] = "entity_type",
            ["entity_id"] = "entity_id",
        },
    };

    public Task<ProductCommandDto?> FindAsync(Guid tenantId, Guid commandId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction,
                $"select {Columns} from product_commands where id = @id and tenant_id = @tenant_id", ("id", commandId), ("tenant_id", tenantId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? Read(reader) : null;
        }, ct);

    public Task<CursorPage<ProductCommandDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) =>
            KeysetQuery.ReadPageAsync(connection, transaction, Table, Columns, [("tenant_id", tenantId)], query, Read, ct), ct);

    public Task<IReadOnlyDictionary<Guid, string>> StatusesAsync(IReadOnlyCollection<(Guid TenantId, Guid CommandId)> commands, CancellationToken ct) =>
        session.RunAsync<IReadOnlyDictionary<Guid, string>>(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                select c.id, c.status from product_commands c
                join unnest(@ids::uuid[], @tenant_ids::uuid[]) as w(id, tenant_id) on c.id = w.id and c.tenant_id = w.tenant_id
                """, ("ids", commands.Select(c => c.CommandId).ToArray()), ("tenant_ids", commands.Select(c => c.TenantId).ToArray()));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var statuses = new Dictionary<Guid, string>();
            while (await reader.ReadAsync(ct)) statuses[reader.GetGuid(0)] = reader.GetString(1);
            return statuses;
        }, ct);

    private static ProductCommandDto Read(NpgsqlDataReader reader)
    {
        using var data = JsonDocument.Parse(reader.GetString(4));
        var target = reader.IsDBNull(2) ? null : new EntityTarget(reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3));
        var origin = new CommandOrigin(reader.IsDBNull(5) ? null : reader.GetGuid(5), reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7));
        var callback = reader.IsDBNull(12) ? null : new ProductCommandCallbackDto(reader.GetInt32(9), reader.IsDBNull(10) ? null : reader.GetInt32(10),
            reader.IsDBNull(11) ? null : reader.GetString(11), reader.GetFieldValue<DateTimeOffset>(12));
        return new ProductCommandDto(reader.GetGuid(0), reader.GetString(1), target, data.RootElement.Clone(), origin, reader.GetString(8), callback,
            reader.GetString(13), reader.IsDBNull(14) ? null : reader.GetString(14), reader.GetFieldValue<DateTimeOffset>(15));
    }
}
