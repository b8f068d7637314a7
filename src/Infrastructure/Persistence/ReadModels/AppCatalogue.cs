using Integrations.Application.Apps;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.OAuth;
using Integrations.Infrastructure.Persistence.Listing;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.ReadModels;

/// <summary>Apps as developers and the marketplace see them (the oauth_apps projection, migrations 0008, 0009 and 0025), on the scope's session.</summary>
public sealed class AppCatalogue(DbSession session) : IAppCatalogue
{
    private const string Columns = "id, client_id, owner_tenant_id, name, description, homepage_url, logo_url, redirect_uris, scopes, client_type, " +
                                   "client_secret_hash, visibility, allowed_tenant_ids, review_status, review_reason, created_at, screenshot_urls, category";

    private const string MarketplaceCondition = "visibility = 'public' and review_status = 'approved'";

    private static readonly KeysetTable Owned = new()
    {
        From = "oauth_apps",
        IdColumn = "id",
        Columns = new Dictionary<string, string>
        {
            ["created_at"] = "created_at", ["name"] = "name", ["review_status"] = "review_status", ["visibility"] = "visibility", ["client_type"] = "client_type",
        },
    };

    // A derived table keeps the marketplace condition out of the generic keyset builder; PostgreSQL flattens it onto the partial indexes.
    private static readonly KeysetTable Marketplace = new()
    {
        From = $"(select * from oauth_apps where {MarketplaceCondition}) a",
        IdColumn = "id",
        Columns = new Dictionary<string, string>
        {
            ["created_at"] = "created_at", ["name"] = "name", ["category"] = "category", ["search"] = "(name || ' ' || description)",
        },
    };

    // One row per app with an active member grant in the organisation (client-credentials grants are the
    // app acting on an installation, not installations); the tenant condition is pushed into the grouping.
    private static readonly KeysetTable Installed = new()
    {
        From = """
            (select g.tenant_id, a.id, a.client_id, a.name, array_agg(distinct s order by s) as granted_scopes,
                    min(g.created_at) as installed_at, count(distinct g.id)::int as active_grants
             from oauth_grants g join oauth_apps a on a.id = g.app_id cross join lateral unnest(g.scopes) s
             where g.revoked_at is null and g.member_id is not null
             group by g.tenant_id, a.id, a.client_id, a.name) i
            """,
        IdColumn = "id",
        Columns = new Dictionary<string, string> { ["installed_at"] = "installed_at", ["name"] = "name" },
    };

    public Task<AppListing?> FindAsync(Guid appId, CancellationToken ct) =>
        SingleAsync($"select {Columns} from oauth_apps where id = @id", ("id", appId), ct);

    public Task<AppListing?> FindByClientIdAsync(string clientId, CancellationToken ct) =>
        SingleAsync($"select {Columns} from oauth_apps where client_id = @id", ("id", clientId), ct);

    public Task<CursorPage<AppDto>> ListOwnedAsync(Guid ownerTenantId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((c, t) => KeysetQuery.ReadPageAsync(c, t, Owned, Columns, [("owner_tenant_id", ownerTenantId)], query, r => AppDto.From(Read(r)), ct), ct);

    public Task<CursorPage<AppDto>> ListAllAsync(ListQuery query, CancellationToken ct) =>
        session.RunAsync((c, t) => KeysetQuery.ReadPageAsync(c, t, Owned, Columns, [], query, r => AppDto.From(Read(r)), ct), ct);

    public Task<CursorPage<MarketplaceAppDto>> ListMarketplaceAsync(ListQuery query, CancellationToken ct) =>
        session.RunAsync((c, t) => KeysetQuery.ReadPageAsync(c, t, Marketplace, Columns, [], query, r => MarketplaceAppDto.From(Read(r)), ct), ct);

    public Task<CursorPage<InstalledAppDto>> ListInstalledAsync(Guid tenantId, ListQuery query, CancellationToken ct) =>
        session.RunAsync((c, t) => KeysetQuery.ReadPageAsync(c, t, Installed, "id, client_id, name, granted_scopes, installed_at, active_grants",
            [("tenant_id", tenantId)], query,
            r => new InstalledAppDto(r.GetGuid(0), r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetFieldValue<string[]>(3), r.GetFieldValue<DateTimeOffset>(4), r.GetInt32(5)),
            ct), ct);

    private Task<AppListing?> SingleAsync(string sql, (string Name, object? Value) parameter, CancellationToken ct) =>
        session.RunAsync<AppListing?>(async (c, t) =>
        {
            await using var command = Sql.Command(c, t, sql, parameter);
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? Read(reader) : null;
        }, ct);

    private static AppListing Read(NpgsqlDataReader r) =>
        new(new AppRow(r.GetGuid(0), r.GetString(1), r.GetGuid(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5),
                r.IsDBNull(6) ? null : r.GetString(6), r.GetFieldValue<string[]>(7), r.GetFieldValue<string[]>(8), r.GetString(9),
                r.IsDBNull(10) ? null : r.GetString(10), r.GetString(11), r.GetFieldValue<Guid[]>(12), r.GetString(13),
                r.IsDBNull(14) ? null : r.GetString(14), r.GetFieldValue<DateTimeOffset>(15), r.GetString(17)),
            r.GetFieldValue<string[]>(16));
}
