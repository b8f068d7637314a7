namespace Integrations.Domain.Marketplace;

public abstract record AppCommand;

public sealed record RegisterApp(
    Guid AppId, Guid OwnerTenantId, string ClientId, string Name, string? Description, string? HomepageUrl, string? LogoUrl,
    IReadOnlyList<string> ScreenshotUrls, IReadOnlyList<string> RedirectUris, IReadOnlyList<string> Scopes, string ClientType,
    string? ClientSecretHash, IReadOnlyList<Guid> AllowedTenantIds, DateTimeOffset Now, string? Category = null) : AppCommand;

/// <summary>
/// A merge patch of the listing and the redirect URIs: null leaves a field as it is; an empty
/// <see cref="HomepageUrl"/> or <see cref="LogoUrl"/> removes it, an empty <see cref="ScreenshotUrls"/>
/// removes the screenshots. Scopes are not patchable: consent given must never widen.
/// </summary>
public sealed record UpdateApp(
    string? Name, string? Description, string? HomepageUrl, string? LogoUrl, IReadOnlyList<string>? ScreenshotUrls, IReadOnlyList<string>? RedirectUris,
    DateTimeOffset Now, string? Category = null) : AppCommand;

public sealed record RotateAppSecret(string ClientSecretHash, DateTimeOffset Now) : AppCommand;

public sealed record SubmitApp(DateTimeOffset Now) : AppCommand;

public sealed record ApproveApp(DateTimeOffset Now) : AppCommand;

public sealed record RejectApp(string Reason, DateTimeOffset Now) : AppCommand;
