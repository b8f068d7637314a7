using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Infrastructure.Persistence.Listing;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.ReadModels;

public sealed class TenantReadModel(DbSession session) : ITenantReadModel
{
    private const string Columns = "id, name, plan, created_at, version";

    private static readonly KeysetTable Table = new()
    {
        From = "tenants",
        IdColumn = "id",
        Columns = new Dictionary<string, string> { ["created_at"] = "created_at", ["name"] = "name", ["plan"] = "plan" },
    };

    public Task<TenantDto?> FindAsync(Guid tenantId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, $"select {Columns} from tenants where id = @id", ("id", tenantId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? Read(reader) : null;
        }, ct);

    public Task<CursorPage<TenantDto>> ListAsync(ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => KeysetQuery.ReadPageAsync(connection, transaction, Table, Columns, [], query, Read, ct), ct);

    private static TenantDto Read(NpgsqlDataReader reader) =>
        new(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt64(4));
}
