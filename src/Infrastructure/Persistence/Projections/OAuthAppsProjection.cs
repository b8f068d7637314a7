using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Marketplace;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// App streams into <c>oauth_apps</c> (ADR 0011, "Members, apps and grants"): inline, because the
/// authorization server authenticates clients against it (a rotated secret works with the next
/// request) and the developer reads an app back in the response that changed it. The client secret
/// is projected as the hash the events carry.
/// </summary>
public sealed class OAuthAppsProjection : SqlProjection
{
    public override string Name => "oauth_apps";

    public override IReadOnlyList<string> Tables { get; } = ["oauth_apps"];

    public override IReadOnlySet<Type> Handles { get; } = new HashSet<Type>
    {
        typeof(AppRegistered), typeof(AppListingUpdated), typeof(AppRedirectUrisChanged), typeof(AppSecretRotated),
        typeof(AppSubmitted), typeof(AppApproved), typeof(AppRejected), typeof(AppImported),
    };

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events) => events.Select(e => Statement(e.Data)).OfType<SqlStatement>();

    private static SqlStatement? Statement(object @event) => @event switch
    {
        AppRegistered e => Upsert(e.AppId, e.ClientId, e.OwnerTenantId, e.Name, e.Description, e.HomepageUrl, e.LogoUrl, e.ScreenshotUrls, e.RedirectUris,
            e.Scopes, e.ClientType, e.ClientSecretHash, AppVisibilities.Private, e.AllowedTenantIds, AppReviewStatuses.None, null, e.RegisteredAt,
            e.Category ?? AppCategories.Other),
        // An event from before categories carries none: the app keeps the one it has.
        AppListingUpdated e => new SqlStatement("""
            update oauth_apps set name = @name, description = @description, homepage_url = @homepage_url, logo_url = @logo_url, screenshot_urls = @screenshot_urls,
                category = coalesce(@category, category)
            where id = @id
            """).With("id", e.AppId).With("category", e.Category, NpgsqlDbType.Text).With("name", e.Name).With("description", e.Description).With("homepage_url", e.HomepageUrl, NpgsqlDbType.Text)
            .With("logo_url", e.LogoUrl, NpgsqlDbType.Text).With("screenshot_urls", e.ScreenshotUrls.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text),
        AppRedirectUrisChanged e => new SqlStatement("update oauth_apps set redirect_uris = @redirect_uris where id = @id")
            .With("id", e.AppId).With("redirect_uris", e.RedirectUris.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text),
        AppSecretRotated e => new SqlStatement("update oauth_apps set client_secret_hash = @hash where id = @id").With("id", e.AppId).With("hash", e.ClientSecretHash),
        AppSubmitted e => new SqlStatement("update oauth_apps set review_status = 'pending', review_reason = null where id = @id").With("id", e.AppId),
        AppApproved e => new SqlStatement("update oauth_apps set visibility = 'public', review_status = 'approved', review_reason = null where id = @id")
            .With("id", e.AppId),
        AppRejected e => new SqlStatement("update oauth_apps set visibility = 'private', review_status = 'rejected', review_reason = @reason where id = @id")
            .With("id", e.AppId).With("reason", e.Reason),
        AppImported e => Upsert(e.AppId, e.ClientId, e.OwnerTenantId, e.Name, e.Description, e.HomepageUrl, e.LogoUrl, e.ScreenshotUrls, e.RedirectUris,
            e.Scopes, e.ClientType, e.ClientSecretHash, e.Visibility, e.AllowedTenantIds, e.ReviewStatus, e.ReviewReason, e.CreatedAt, AppCategories.Other),
        _ => null,
    };

    private static SqlStatement Upsert(Guid id, string clientId, Guid ownerTenantId, string name, string description, string? homepageUrl, string? logoUrl,
        IReadOnlyList<string> screenshotUrls, IReadOnlyList<string> redirectUris, IReadOnlyList<string> scopes, string clientType, string? clientSecretHash,
        string visibility, IReadOnlyList<Guid> allowedTenantIds, string reviewStatus, string? reviewReason, DateTimeOffset createdAt, string category) =>
        new SqlStatement("""
            insert into oauth_apps (id, client_id, owner_tenant_id, name, description, homepage_url, logo_url, screenshot_urls, redirect_uris, scopes,
                client_type, client_secret_hash, visibility, allowed_tenant_ids, review_status, review_reason, created_at, category)
            values (@id, @client_id, @owner_tenant_id, @name, @description, @homepage_url, @logo_url, @screenshot_urls, @redirect_uris, @scopes,
                @client_type, @client_secret_hash, @visibility, @allowed_tenant_ids, @review_status, @review_reason, @created_at, @category)
            on conflict (id) do update set client_id = excluded.client_id, owner_tenant_id = excluded.owner_tenant_id, name = excluded.name,
                description = excluded.description, homepage_url = excluded.homepage_url, logo_url = excluded.logo_url,
                screenshot_urls = excluded.screenshot_urls, redirect_uris = excluded.redirect_uris, scopes = excluded.scopes,
                client_type = excluded.client_type, client_secret_hash = excluded.client_secret_hash, visibility = excluded.visibility,
                allowed_tenant_ids = excluded.allowed_tenant_ids, review_status = excluded.review_status, review_reason = excluded.review_reason,
                created_at = excluded.created_at, category = excluded.category
            """).With("id", id).With("client_id", clientId).With("owner_tenant_id", ownerTenantId).With("name", name).With("description", description)
            .With("homepage_url", homepageUrl, NpgsqlDbType.Text).With("logo_url", logoUrl, NpgsqlDbType.Text)
            .With("screenshot_urls", screenshotUrls.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
            .With("redirect_uris", redirectUris.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
            .With("scopes", scopes.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text).With("client_type", clientType)
            .With("client_secret_hash", clientSecretHash, NpgsqlDbType.Text).With("visibility", visibility)
            .With("allowed_tenant_ids", allowedTenantIds.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Uuid).With("review_status", reviewStatus)
            .With("review_reason", reviewReason, NpgsqlDbType.Text).With("created_at", Sql.Utc(createdAt)).With("category", category);
}
