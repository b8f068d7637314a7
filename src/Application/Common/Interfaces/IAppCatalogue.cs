using Integrations.Application.Apps;
using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.OAuth;

namespace Integrations.Application.Common.Interfaces;

/// <summary>
/// The developer and marketplace side of apps: their listings (with screenshots) and the keyset
/// lists under the conventions. The authorization server's own needs stay on <see cref="IOAuthStore"/>.
/// </summary>
public interface IAppCatalogue
{
    Task<AppListing?> FindAsync(Guid appId, CancellationToken ct);

    Task<AppListing?> FindByClientIdAsync(string clientId, CancellationToken ct);

    Task SetScreenshotUrlsAsync(Guid appId, string[] screenshotUrls, CancellationToken ct);

    /// <summary>Writes the fields a patch may change: name, description, homepage, logo, screenshots, redirect URIs. Never scopes.</summary>
    Task UpdateAsync(AppListing listing, CancellationToken ct);

    Task<CursorPage<AppDto>> ListOwnedAsync(Guid ownerTenantId, ListQuery query, CancellationToken ct);

    /// <summary>Approved public apps only.</summary>
    Task<CursorPage<MarketplaceAppDto>> ListMarketplaceAsync(ListQuery query, CancellationToken ct);

    /// <summary>Apps with at least one active grant in the organisation.</summary>
    Task<CursorPage<InstalledAppDto>> ListInstalledAsync(Guid tenantId, ListQuery query, CancellationToken ct);
}

public interface IMemberReadModel
{
    /// <summary>Invited and active members (removed ones never).</summary>
    Task<CursorPage<MemberDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct);
}
