using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.Connectors;
using Integrations.Application.Hooks;
using Integrations.Domain.Webhooks;
using Integrations.Infrastructure.Persistence.Listing;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.ReadModels;

/// <summary>Hooks are the rows of <c>webhook_endpoints</c> of kind hook; the list conventions as for endpoints.</summary>
public sealed class HookReadModel(DbSession session) : IHookReadModel
{
    private const string Columns = "id, url, event_types, filter, status, disabled_reason, created_at";

    private static readonly KeysetTable Table = new()
    {
        From = "webhook_endpoints",
        IdColumn = "id",
        Columns = new Dictionary<string, string> { ["created_at"] = "created_at", ["status"] = "status" },
    };

    public Task<HookDto?> FindAsync(Guid tenantId, Guid hookId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction,
                $"select {Columns} from webhook_endpoints where id = @id and tenant_id = @tenant_id and kind = @kind",
                ("id", hookId), ("tenant_id", tenantId), ("kind", EndpointKinds.Hook));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? Read(reader) : null;
        }, ct);

    public Task<CursorPage<HookDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) =>
            KeysetQuery.ReadPageAsync(connection, transaction, Table, Columns, [("tenant_id", tenantId), ("kind", EndpointKinds.Hook)], query, Read, ct), ct);

    private static HookDto Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetString(1),
        reader.GetFieldValue<string[]>(2),
        JsonSerializer.Deserialize<List<RouteConditionDto>>(reader.GetString(3), JsonDefaults.Options)!,
        reader.GetString(4),
        reader.IsDBNull(5) ? null : reader.GetString(5),
        reader.GetFieldValue<DateTimeOffset>(6));
}
