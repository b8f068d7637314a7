using Integrations.Application.Common;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.Connections;
using Integrations.Infrastructure.Persistence;
using Integrations.Infrastructure.Persistence.Listing;
using Npgsql;

namespace Integrations.Infrastructure.Connections;

/// <summary><see cref="IConnectionLinks"/> on <c>connection_links</c> (migration 0028): unique per side and connection.</summary>
public sealed class PostgresConnectionLinks(DbSession session, IClock clock) : IConnectionLinks
{
    private const string Columns = "id, tenant_id, connection_id, entity_type, entity_id, external_type, external_id, created_at, updated_at";

    private static readonly KeysetTable Table = new()
    {
        From = "connection_links",
        IdColumn = "id",
        Columns = new Dictionary<string, string>
        {
            ["created_at"] = "created_at", ["entity_type"] = "entity_type", ["entity_id"] = "entity_id",
            ["external_type"] = "external_type", ["external_id"] = "external_id",
        },
    };

    public Task<ConnectionLink> LinkAsync(Guid tenantId, Guid connectionId, string entityType, string entityId, string externalType, string externalId,
        CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            // Whatever either side was linked to before goes; then our entity's link is upserted (its id and creation kept).
            await using var command = Sql.Command(connection, transaction, $"""
                delete from connection_links
                where tenant_id = @tenant_id and connection_id = @connection_id and external_type = @external_type and external_id = @external_id
                  and not (entity_type = @entity_type and entity_id = @entity_id);
                insert into connection_links ({Columns})
                values (@id, @tenant_id, @connection_id, @entity_type, @entity_id, @external_type, @external_id, @now, @now)
                on conflict (connection_id, entity_type, entity_id) do update set external_type = excluded.external_type,
                    external_id = excluded.external_id, updated_at = excluded.updated_at
                where connection_links.tenant_id = excluded.tenant_id
                returning {Columns}
                """, ("id", Guid.CreateVersion7()), ("tenant_id", tenantId), ("connection_id", connectionId), ("entity_type", entityType),
                ("entity_id", entityId), ("external_type", externalType), ("external_id", externalId), ("now", Sql.Utc(clock.UtcNow)));
            return (await ReadAsync(command, ct)).SingleOrDefault()
                ?? throw new Application.Common.Exceptions.ConflictException("connection_link_conflict", "The connection belongs to another tenant.");
        }, ct);

    public Task<bool> UnlinkAsync(Guid tenantId, Guid connectionId, string entityType, string entityId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) => await Sql.ExecuteAsync(connection, transaction, """
            delete from connection_links where tenant_id = @tenant_id and connection_id = @connection_id and entity_type = @entity_type and entity_id = @entity_id
            """, ct, ("tenant_id", tenantId), ("connection_id", connectionId), ("entity_type", entityType), ("entity_id", entityId)) > 0, ct);

    public Task<ConnectionLink?> FindByEntityAsync(Guid tenantId, Guid connectionId, string entityType, string entityId, CancellationToken ct) =>
        FindAsync(tenantId, connectionId, "entity_type", entityType, "entity_id", entityId, ct);

    public Task<ConnectionLink?> FindByExternalAsync(Guid tenantId, Guid connectionId, string externalType, string externalId, CancellationToken ct) =>
        FindAsync(tenantId, connectionId, "external_type", externalType, "external_id", externalId, ct);

    public Task<CursorPage<ConnectionLink>> ListAsync(Guid tenantId, Guid connectionId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => KeysetQuery.ReadPageAsync(connection, transaction, Table, Columns,
            [("tenant_id", tenantId), ("connection_id", connectionId)], query, Read, ct), ct);

    public Task<int> RemoveConnectionAsync(Guid tenantId, Guid connectionId, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => Sql.ExecuteAsync(connection, transaction,
            "delete from connection_links where tenant_id = @tenant_id and connection_id = @connection_id", ct,
            ("tenant_id", tenantId), ("connection_id", connectionId)), ct);

    /// <param name="typeColumn">entity_type or external_type: code-defined, never input.</param>
    private Task<ConnectionLink?> FindAsync(Guid tenantId, Guid connectionId, string typeColumn, string type, string idColumn, string id, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction,
                $"select {Columns} from connection_links where tenant_id = @tenant_id and connection_id = @connection_id and {typeColumn} = @type and {idColumn} = @id",
                ("tenant_id", tenantId), ("connection_id", connectionId), ("type", type), ("id", id));
            return (await ReadAsync(command, ct)).SingleOrDefault();
        }, ct);

    private static async Task<List<ConnectionLink>> ReadAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var links = new List<ConnectionLink>();
        while (await reader.ReadAsync(ct)) links.Add(Read(reader));
        return links;
    }

    private static ConnectionLink Read(NpgsqlDataReader r) => new(r.GetGuid(0), r.GetGuid(1), r.GetGuid(2), r.GetString(3), r.GetString(4), r.GetString(5),
        r.GetString(6), r.GetFieldValue<DateTimeOffset>(7), r.GetFieldValue<DateTimeOffset>(8));
}
