using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Infrastructure.Persistence.Listing;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.ReadModels;

public sealed class ApiKeyReadModel(DbSession session) : IApiKeyReadModel
{
    private const string StatusExpression = "case when revoked_at is null then 'active' else 'revoked' end";

    private static readonly KeysetTable Table = new()
    {
        From = "api_keys",
        IdColumn = "id",
        Columns = new Dictionary<string, string> { ["created_at"] = "created_at", ["status"] = StatusExpression },
    };

    /// <summary>Authentication lookup: a revoked key, or a key whose tenant is gone, matches nothing.</summary>
    public Task<ApiKeyIdentity?> FindActiveByHashAsync(string keyHash, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                select k.id, k.tenant_id, t.plan from api_keys k join tenants t on t.id = k.tenant_id
                where k.key_hash = @key_hash and k.revoked_at is null
                """, ("key_hash", keyHash));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? new ApiKeyIdentity(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2)) : null;
        }, ct);

    public Task<CursorPage<ApiKeyDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => KeysetQuery.ReadPageAsync(connection, transaction, Table,
            $"id, tenant_id, prefix, {StatusExpression}, created_at, revoked_at", [("tenant_id", tenantId)], query, Read, ct), ct);

    private static ApiKeyDto Read(NpgsqlDataReader reader) =>
        new(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4),
            reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5));
}
