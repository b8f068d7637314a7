using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Marketplace;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Grant streams into <c>oauth_grants</c> (ADR 0011, "Members, apps and grants"): inline, because
/// every API request made with an access token checks its grant there (a revocation acts on the
/// next request), and the token endpoint redeems a code against the grant the consent just created.
/// Codes and refresh tokens are not projected: they are security state of the authorization server
/// (<c>oauth_codes</c>, <c>oauth_refresh_tokens</c>), keyed by grant id without a foreign key, so a
/// rebuild of this table leaves them alone.
/// </summary>
public sealed class OAuthGrantsProjection : SqlProjection
{
    public override string Name => "oauth_grants";

    public override IReadOnlyList<string> Tables { get; } = ["oauth_grants"];

    public override IReadOnlySet<Type> Handles { get; } = new HashSet<Type> { typeof(GrantCreated), typeof(GrantRevoked), typeof(GrantImported) };

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events) => events.Select(e => Statement(e.Data)).OfType<SqlStatement>();

    private static SqlStatement? Statement(object @event) => @event switch
    {
        GrantCreated e => Upsert(e.GrantId, e.TenantId, e.MemberId, e.AppId, e.GrantType, e.Scopes, e.CreatedAt, null, null),
        GrantRevoked e => new SqlStatement("update oauth_grants set revoked_at = @revoked_at, revoke_reason = @reason where id = @id")
            .With("id", e.GrantId).With("revoked_at", Sql.Utc(e.RevokedAt)).With("reason", e.Reason),
        GrantImported e => Upsert(e.GrantId, e.TenantId, e.MemberId, e.AppId, e.GrantType, e.Scopes, e.CreatedAt, e.RevokedAt, e.RevokeReason),
        _ => null,
    };

    private static SqlStatement Upsert(Guid id, Guid tenantId, Guid? memberId, Guid appId, string grantType, IReadOnlyList<string> scopes,
        DateTimeOffset createdAt, DateTimeOffset? revokedAt, string? revokeReason) =>
        new SqlStatement("""
            insert into oauth_grants (id, tenant_id, member_id, app_id, grant_type, scopes, created_at, revoked_at, revoke_reason)
            values (@id, @tenant_id, @member_id, @app_id, @grant_type, @scopes, @created_at, @revoked_at, @revoke_reason)
            on conflict (id) do update set tenant_id = excluded.tenant_id, member_id = excluded.member_id, app_id = excluded.app_id,
                grant_type = excluded.grant_type, scopes = excluded.scopes, created_at = excluded.created_at, revoked_at = excluded.revoked_at,
                revoke_reason = excluded.revoke_reason
            """).With("id", id).With("tenant_id", tenantId).With("member_id", memberId, NpgsqlDbType.Uuid).With("app_id", appId)
            .With("grant_type", grantType).With("scopes", scopes.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text).With("created_at", Sql.Utc(createdAt))
            .With("revoked_at", MembersProjection.Time(revokedAt), NpgsqlDbType.TimestampTz).With("revoke_reason", revokeReason, NpgsqlDbType.Text);
}
