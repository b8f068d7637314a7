using System.Text.Json;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.Entities;
using Integrations.Domain.Entities;
using Integrations.Infrastructure.Persistence.Listing;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.ReadModels;

/// <summary>
/// Records from <c>entities</c>. One record is found by its derived id (<see cref="EntityKey.RowId"/>),
/// the primary key; lists are keyset-paginated over (tenant_id[, entity_type], updated_at, id).
/// </summary>
public sealed class EntityReadModel(DbSession session) : IEntityReadModel
{
    private const string Columns = """
        id, entity_type, entity_id, status, attributes::text, unknown_fields, created_at, updated_at, deleted_at, version,
        last_event_id, last_event_type, sequence
        """;

    private static readonly KeysetTable Table = new()
    {
        From = "entities",
        IdColumn = "id",
        Columns = new Dictionary<string, string>
        {
            ["updated_at"] = "updated_at",
            ["entity_type"] = "entity_type",
            ["status"] = "status",
            ["attributes"] = "attributes",
        },
    };

    public Task<EntityDto?> FindAsync(Guid tenantId, string entityType, string entityId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            // The derived id alone would do; the other columns make a (vanishingly unlikely) hash collision a miss, not another record.
            await using var command = Sql.Command(connection, transaction, $"""
                select {Columns} from entities where id = @id and tenant_id = @tenant_id and entity_type = @entity_type and entity_id = @entity_id
                """, ("id", new EntityKey(tenantId, entityType, entityId).RowId), ("tenant_id", tenantId), ("entity_type", entityType), ("entity_id", entityId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? Read(reader) : null;
        }, ct);

    public Task<CursorPage<EntityDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) =>
            KeysetQuery.ReadPageAsync(connection, transaction, Table, Columns, [("tenant_id", tenantId)], query, Read, ct), ct);

    private static EntityDto Read(NpgsqlDataReader reader)
    {
        using var attributes = JsonDocument.Parse(reader.GetString(4));
        return new EntityDto(
            reader.GetGuid(0),
            reader.GetString(1),
            reader.GetString(2),
            reader.GetString(3),
            attributes.RootElement.Clone(),
            reader.GetFieldValue<string[]>(5),
            reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
            reader.GetFieldValue<DateTimeOffset>(7),
            reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
            reader.GetInt64(9),
            reader.GetGuid(10),
            reader.GetString(11),
            reader.GetInt64(12));
    }
}
