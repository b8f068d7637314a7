using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Infrastructure.Persistence.Listing;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.ReadModels;

/// <summary>
/// A tenant's events, keyset-paginated over (tenant_id, sort keys, id); the indexes of migration
/// 0006 serve every order the list offers, so a page costs the same at any depth.
/// </summary>
public sealed class EventReadModel(DbSession session) : IEventReadModel
{
    private const string Columns = "id, tenant_id, event_type, data, \"timestamp\", status, dispatched_at, sequence";

    public static readonly KeysetTable Table = new()
    {
        From = "events",
        IdColumn = "id",
        Columns = new Dictionary<string, string>
        {
            ["timestamp"] = "\"timestamp\"",
            ["event_type"] = "event_type",
            ["status"] = "status",
        },
    };

    public Task<CursorPage<EventDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) =>
            KeysetQuery.ReadPageAsync(connection, transaction, Table, Columns, [("tenant_id", tenantId)], query, Read, ct), ct);

    public Task<EventDto?> FindAsync(Guid tenantId, Guid eventId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction,
                $"select {Columns} from events where id = @id and tenant_id = @tenant_id", ("id", eventId), ("tenant_id", tenantId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? Read(reader) : null;
        }, ct);

    public Task<EventDto?> FindAnswerAsync(Guid tenantId, Guid commandId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            // The partial index of migration 0038 serves this.
            await using var command = Sql.Command(connection, transaction, $"""
                select {Columns} from events where tenant_id = @tenant_id and data->>'command_id' = @command_id
                order by sequence limit 1
                """, ("tenant_id", tenantId), ("command_id", commandId.ToString()));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? Read(reader) : null;
        }, ct);

    private static EventDto Read(NpgsqlDataReader reader)
    {
        using var data = JsonDocument.Parse(reader.GetString(3));
        return new EventDto(
            reader.GetGuid(0),
            reader.GetGuid(1),
            reader.GetString(2),
            data.RootElement.Clone(),
            reader.GetFieldValue<DateTimeOffset>(4),
            reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
            reader.GetInt64(7));
    }
}
