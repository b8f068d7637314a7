namespace Integrations.Domain.Marketplace;

/// <summary>OAuth client types (RFC 6749 §2.1); the wire names are the values.</summary>
public static class ClientTypes
{
    /// <summary>Native and browser apps: no secret, PKCE required.</summary>
    public const string Public = "public";

    /// <summary>Server apps: authenticate with a client secret.</summary>
    public const string Confidential = "confidential";
}

public static class AppVisibilities
{
    public const string Private = "private";
    public const string Public = "public";
}

/// <summary>Where an app is in the marketplace review.</summary>
public static class AppReviewStatuses
{
    public const string None = "none";
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
}

public sealed record AppState(
    Guid AppId,
    Guid OwnerTenantId,
    string ClientId,
    string Name,
    string Description,
    string? HomepageUrl,
    string? LogoUrl,
    IReadOnlyList<string> ScreenshotUrls,
    IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> Scopes,
    string ClientType,
    string? ClientSecretHash,
    string Visibility,
    IReadOnlyList<Guid> AllowedTenantIds,
    string ReviewStatus,
    string? ReviewReason,
    DateTimeOffset CreatedAt,
    string Category = AppCategories.Other)
{
    public static readonly AppState None = new(Guid.Empty, Guid.Empty, "", "", "", null, null, [], [], [], "", null, "", [], "", null, DateTimeOffset.MinValue);

    public bool Exists => AppId != Guid.Empty;

    public bool IsConfidential => ClientType == ClientTypes.Confidential;

    /// <summary>Public and approved: listed in the marketplace and installable by any organisation.</summary>
    public bool InMarketplace => Visibility == AppVisibilities.Public && ReviewStatus == AppReviewStatuses.Approved;
}
