namespace Integrations.Domain.Marketplace;

// A third-party app (an OAuth client) registered by a developer organisation, its owner: the
// stream belongs to the owner's tenant. A confidential app's secret is recorded only as its
// SHA-256 hash; the secret itself is shown once, to the developer.

public interface IAppEvent;

/// <summary>A new app: private (installable by its owner and <see cref="AllowedTenantIds"/>), not submitted for review.</summary>
public sealed record AppRegistered(
    Guid AppId, Guid OwnerTenantId, string ClientId, string Name, string Description, string? HomepageUrl, string? LogoUrl,
    IReadOnlyList<string> ScreenshotUrls, IReadOnlyList<string> RedirectUris, IReadOnlyList<string> Scopes, string ClientType,
    string? ClientSecretHash, IReadOnlyList<Guid> AllowedTenantIds, DateTimeOffset RegisteredAt, string? Category = null) : IAppEvent;

/// <summary>
/// What the marketplace shows changed: the whole listing after the change. <see cref="Category"/> is
/// null in events written before categories existed (the app stays in its category, "other").
/// </summary>
public sealed record AppListingUpdated(
    Guid AppId, Guid OwnerTenantId, string Name, string Description, string? HomepageUrl, string? LogoUrl, IReadOnlyList<string> ScreenshotUrls,
    DateTimeOffset UpdatedAt, string? Category = null) : IAppEvent;

/// <summary>The complete new set of redirect URIs (where codes may be sent from now on).</summary>
public sealed record AppRedirectUrisChanged(Guid AppId, Guid OwnerTenantId, IReadOnlyList<string> RedirectUris, DateTimeOffset ChangedAt) : IAppEvent;

/// <summary>The previous secret stops working at once.</summary>
public sealed record AppSecretRotated(Guid AppId, Guid OwnerTenantId, string ClientSecretHash, DateTimeOffset RotatedAt) : IAppEvent;

public sealed record AppSubmitted(Guid AppId, Guid OwnerTenantId, DateTimeOffset SubmittedAt) : IAppEvent;

/// <summary>The platform approved the app: it is public, in the marketplace, installable by anyone.</summary>
public sealed record AppApproved(Guid AppId, Guid OwnerTenantId, DateTimeOffset ApprovedAt) : IAppEvent;

/// <summary>The app stays (or becomes again) private; the reason is shown to the developer.</summary>
public sealed record AppRejected(Guid AppId, Guid OwnerTenantId, string Reason, DateTimeOffset RejectedAt) : IAppEvent;

/// <summary>
/// An app as the release before event-sourced apps stored it (a row of <c>oauth_apps</c>, secret hash
/// included), written once by the upgrade migration 0025 as the first and only event of its stream.
/// </summary>
public sealed record AppImported(
    Guid AppId, Guid OwnerTenantId, string ClientId, string Name, string Description, string? HomepageUrl, string? LogoUrl,
    IReadOnlyList<string> ScreenshotUrls, IReadOnlyList<string> RedirectUris, IReadOnlyList<string> Scopes, string ClientType,
    string? ClientSecretHash, string Visibility, IReadOnlyList<Guid> AllowedTenantIds, string ReviewStatus, string? ReviewReason,
    DateTimeOffset CreatedAt) : IAppEvent;
