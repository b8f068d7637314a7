using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;

namespace Integrations.Application.Apps;

public static class AppLookup
{
    public static NotFoundException NotFound() => new("app_not_found", "No such app.");

    /// <summary>Another organisation's app is "not found", never "forbidden".</summary>
    public static async Task<AppListing> FindOwnedAsync(this IAppCatalogue catalogue, Guid ownerTenantId, Guid appId, CancellationToken ct)
    {
        var listing = await catalogue.FindAsync(appId, ct);
        return listing is not null && listing.App.OwnerTenantId == ownerTenantId ? listing : throw NotFound();
    }
}
