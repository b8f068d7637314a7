using Integrations.Application.OAuth;

namespace Integrations.Application.Apps;

public sealed record AppDto(Guid Id, string ClientId, Guid OwnerTenantId, string Name, string Description, string? HomepageUrl, string? LogoUrl,
    IReadOnlyList<string> ScreenshotUrls, IReadOnlyList<string> RedirectUris, IReadOnlyList<string> Scopes, string ClientType, string Visibility,
    IReadOnlyList<Guid> AllowedTenantIds, string ReviewStatus, string? ReviewReason, DateTimeOffset CreatedAt, string Category)
{
    public static AppDto From(AppListing listing)
    {
        var a = listing.App;
        return new(a.Id, a.ClientId, a.OwnerTenantId, a.Name, a.Description, a.HomepageUrl, a.LogoUrl, listing.ScreenshotUrls, a.RedirectUris, a.Scopes,
            a.ClientType, a.Visibility, a.AllowedTenantIds, a.ReviewStatus, a.ReviewReason, a.CreatedAt, a.Category);
    }
}

/// <summary>An app as the developer side sees it: the OAuth client row and its marketplace media.</summary>
public sealed record AppListing(AppRow App, string[] ScreenshotUrls)
{
    public bool InMarketplace => App.Visibility == "public" && App.ReviewStatus == "approved";
}

/// <summary>The only responses that carry a client secret: registration of a confidential app, and rotation.</summary>
public sealed record RegisteredAppDto(AppDto App, string? ClientSecret);

public sealed record ClientSecretDto(string ClientId, string ClientSecret);

public sealed record ScopeDto(string Name, string Description)
{
    public static IReadOnlyList<ScopeDto> For(IEnumerable<string> scopes) => scopes.Select(s => new ScopeDto(s, OAuthScopes.Catalogue[s])).ToList();
}

/// <summary>An app of the public marketplace: what any organisation sees before installing it.</summary>
public sealed record MarketplaceAppDto(Guid Id, string ClientId, string Name, string Description, string? HomepageUrl, string? LogoUrl,
    IReadOnlyList<string> ScreenshotUrls, IReadOnlyList<ScopeDto> Permissions, DateTimeOffset CreatedAt, string Category)
{
    public static MarketplaceAppDto From(AppListing listing) => new(listing.App.Id, listing.App.ClientId, listing.App.Name, listing.App.Description,
        listing.App.HomepageUrl, listing.App.LogoUrl, listing.ScreenshotUrls, ScopeDto.For(listing.App.Scopes), listing.App.CreatedAt, listing.App.Category);
}

/// <summary><see cref="Id"/> and <see cref="AppId"/> are both the app's id: id for the list conventions, app_id as before.</summary>
public sealed record InstalledAppDto(Guid Id, Guid AppId, string ClientId, string Name, IReadOnlyList<string> GrantedScopes, DateTimeOffset InstalledAt, int ActiveGrants);

public sealed record DisconnectedDto(Guid AppId, int RevokedGrants);
