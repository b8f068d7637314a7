using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Tenants;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Tenant streams into <c>tenants</c> and <c>api_keys</c>. tenants.version follows every event of
/// the stream, API key events included, because it is the version If-Match is checked against.
/// Writes always touch tenants before api_keys, the order a rebuild deletes them in.
/// </summary>
public sealed class TenantsProjection : SqlProjection
{
    public override string Name => "tenants";

    public override IReadOnlyList<string> Tables { get; } = ["tenants", "api_keys"];

    public override IReadOnlySet<Type> Handles { get; } = new HashSet<Type> { typeof(TenantCreated), typeof(TenantPlanChanged), typeof(ApiKeyIssued), typeof(ApiKeyRevoked) };

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events)
    {
        foreach (var @event in events)
        {
            switch (@event.Data)
            {
                case TenantCreated e:
                    yield return new SqlStatement("""
                        insert into tenants (id, name, plan, created_at, updated_at, version)
                        values (@id, @name, @plan, @created_at, @created_at, @version)
                        on conflict (id) do update set name = excluded.name, plan = excluded.plan, created_at = excluded.created_at,
                            updated_at = excluded.updated_at, version = excluded.version
                        """).With("id", e.TenantId).With("name", e.Name).With("plan", e.Plan).With("created_at", Sql.Utc(e.CreatedAt)).With("version", @event.StreamVersion);
                    break;
                case TenantPlanChanged e:
                    yield return new SqlStatement("update tenants set plan = @plan, updated_at = @changed_at, version = @version where id = @id")
                        .With("id", e.TenantId).With("plan", e.Plan).With("changed_at", Sql.Utc(e.ChangedAt)).With("version", @event.StreamVersion);
                    break;
                case ApiKeyIssued e:
                    yield return Version(e.TenantId, @event.StreamVersion);
                    yield return new SqlStatement("""
                        insert into api_keys (id, tenant_id, prefix, key_hash, created_at, revoked_at)
                        values (@id, @tenant_id, @prefix, @key_hash, @created_at, null)
                        on conflict (id) do update set tenant_id = excluded.tenant_id, prefix = excluded.prefix, key_hash = excluded.key_hash,
                            created_at = excluded.created_at, revoked_at = null
                        """).With("id", e.KeyId).With("tenant_id", e.TenantId).With("prefix", e.Prefix).With("key_hash", e.KeyHash).With("created_at", Sql.Utc(e.CreatedAt));
                    break;
                case ApiKeyRevoked e:
                    yield return Version(e.TenantId, @event.StreamVersion);
                    yield return new SqlStatement("update api_keys set revoked_at = @revoked_at where id = @id").With("id", e.KeyId).With("revoked_at", Sql.Utc(e.RevokedAt));
                    break;
            }
        }
    }

    private static SqlStatement Version(Guid tenantId, long version) =>
        new SqlStatement("update tenants set version = @version where id = @id").With("id", tenantId).With("version", version);
}
