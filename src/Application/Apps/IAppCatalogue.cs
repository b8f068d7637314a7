using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;
using Integrations.Application.OAuth;

namespace Integrations.Application.Apps;

/// <summary>
/// The developer and marketplace side of apps, read from the oauth_apps projection: their listings
/// (with screenshots) and the keyset lists under the conventions. Apps change through their
/// streams (<see cref="Apps.AppAggregate"/>); the authorization server reads on <see cref="IOAuthStore"/>.
/// </summary>
public interface IAppCatalogue
{
    Task<AppListing?> FindAsync(Guid appId, CancellationToken ct);

    Task<AppListing?> FindByClientIdAsync(string clientId, CancellationToken ct);

    Task<CursorPage<AppDto>> ListOwnedAsync(Guid ownerTenantId, ListQuery query, CancellationToken ct);

    /// <summary>Every developer's apps, for the platform operator's review.</summary>
    Task<CursorPage<AppDto>> ListAllAsync(ListQuery query, CancellationToken ct);

    /// <summary>Approved public apps only.</summary>
    Task<CursorPage<MarketplaceAppDto>> ListMarketplaceAsync(ListQuery query, CancellationToken ct);

    /// <summary>Apps with at least one active grant in the organisation.</summary>
    Task<CursorPage<InstalledAppDto>> ListInstalledAsync(Guid tenantId, ListQuery query, CancellationToken ct);
}
