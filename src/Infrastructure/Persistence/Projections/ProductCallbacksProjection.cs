using Integrations.Application.Common.Interfaces;
using Integrations.Domain.ProductBridge;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Callback streams into <c>product_callbacks</c>, secrets in their protected form only. Inline: the
/// API answers a PUT with what it stored, and the callback pipeline reads the URL and secrets here.
/// A rotation moves the current secret to previous, as the decider's Evolve does.
/// </summary>
public sealed class ProductCallbacksProjection : SqlProjection
{
    public override string Name => "product_callbacks";

    public override IReadOnlyList<string> Tables { get; } = ["product_callbacks"];

    public override IReadOnlySet<Type> Handles { get; } = new HashSet<Type>
    {
        typeof(ProductCallbackConfigured), typeof(ProductCallbackUrlChanged), typeof(ProductCallbackSecretRotated), typeof(ProductCallbackRemoved),
    };

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events) => events.Select(Statement).OfType<SqlStatement>();

    private static SqlStatement? Statement(StoredEvent @event) => @event.Data switch
    {
        ProductCallbackConfigured e => new SqlStatement("""
            insert into product_callbacks (tenant_id, url, secret, previous_secret, previous_secret_expires_at, created_at, updated_at, version)
            values (@tenant_id, @url, @secret, null, null, @at, @at, @version)
            on conflict (tenant_id) do update set url = excluded.url, secret = excluded.secret, previous_secret = null,
                previous_secret_expires_at = null, created_at = excluded.created_at, updated_at = excluded.updated_at, version = excluded.version
            """).With("tenant_id", e.TenantId).With("url", e.Url).With("secret", e.ProtectedSecret).With("at", Sql.Utc(e.ConfiguredAt))
            .With("version", @event.StreamVersion),
        ProductCallbackUrlChanged e => new SqlStatement("update product_callbacks set url = @url, updated_at = @at, version = @version where tenant_id = @tenant_id")
            .With("tenant_id", e.TenantId).With("url", e.Url).With("at", Sql.Utc(e.ChangedAt)).With("version", @event.StreamVersion),
        ProductCallbackSecretRotated e => new SqlStatement("""
            update product_callbacks set previous_secret = secret, previous_secret_expires_at = @expires_at, secret = @secret,
                updated_at = @at, version = @version
            where tenant_id = @tenant_id
            """).With("tenant_id", e.TenantId).With("secret", e.ProtectedSecret).With("expires_at", Sql.Utc(e.PreviousSecretExpiresAt))
            .With("at", Sql.Utc(e.RotatedAt)).With("version", @event.StreamVersion),
        ProductCallbackRemoved e => new SqlStatement("delete from product_callbacks where tenant_id = @tenant_id").With("tenant_id", e.TenantId),
        _ => null,
    };
}
