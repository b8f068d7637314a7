using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Tenants;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Tenant streams into <c>tenants</c> and <c>api_keys</c>. tenants.version follows every event of
/// the stream, API key events included, because it is the version If-Match is checked against.
/// Writes always touch tenants before api_keys, the order a rebuild truncates them in, so an append
/// and a rebuild cannot deadlock on the two tables.
/// </summary>
public sealed class TenantsProjection : IProjection
{
    public string Name => "tenants";

    public IReadOnlyList<string> Tables { get; } = ["tenants", "api_keys"];

    public IReadOnlySet<Type> Handles { get; } = new HashSet<Type> { typeof(TenantCreated), typeof(TenantPlanChanged), typeof(ApiKeyIssued), typeof(ApiKeyRevoked) };

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, StoredEvent @event, CancellationToken ct)
    {
        switch (@event.Data)
        {
            case TenantCreated e:
                await Sql.ExecuteAsync(connection, transaction, """
                    insert into tenants (id, name, plan, created_at, updated_at, version)
                    values (@id, @name, @plan, @created_at, @created_at, @version)
                    on conflict (id) do update set name = excluded.name, plan = excluded.plan, created_at = excluded.created_at,
                        updated_at = excluded.updated_at, version = excluded.version
                    """, ct, ("id", e.TenantId), ("name", e.Name), ("plan", e.Plan), ("created_at", Sql.Utc(e.CreatedAt)), ("version", @event.StreamVersion));
                break;
            case TenantPlanChanged e:
                await Sql.ExecuteAsync(connection, transaction,
                    "update tenants set plan = @plan, updated_at = @changed_at, version = @version where id = @id",
                    ct, ("id", e.TenantId), ("plan", e.Plan), ("changed_at", Sql.Utc(e.ChangedAt)), ("version", @event.StreamVersion));
                break;
            case ApiKeyIssued e:
                await SetVersionAsync(connection, transaction, e.TenantId, @event.StreamVersion, ct);
                await Sql.ExecuteAsync(connection, transaction, """
                    insert into api_keys (id, tenant_id, prefix, key_hash, created_at, revoked_at)
                    values (@id, @tenant_id, @prefix, @key_hash, @created_at, null)
                    on conflict (id) do update set tenant_id = excluded.tenant_id, prefix = excluded.prefix, key_hash = excluded.key_hash,
                        created_at = excluded.created_at, revoked_at = null
                    """, ct, ("id", e.KeyId), ("tenant_id", e.TenantId), ("prefix", e.Prefix), ("key_hash", e.KeyHash), ("created_at", Sql.Utc(e.CreatedAt)));
                break;
            case ApiKeyRevoked e:
                await SetVersionAsync(connection, transaction, e.TenantId, @event.StreamVersion, ct);
                await Sql.ExecuteAsync(connection, transaction, "update api_keys set revoked_at = @revoked_at where id = @id",
                    ct, ("id", e.KeyId), ("revoked_at", Sql.Utc(e.RevokedAt)));
                break;
        }
    }

    private static Task<int> SetVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid tenantId, long version, CancellationToken ct) =>
        Sql.ExecuteAsync(connection, transaction, "update tenants set version = @version where id = @id", ct, ("id", tenantId), ("version", version));
}
