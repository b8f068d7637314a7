namespace Integrations.Domain.Marketplace;

// A grant: what an organisation (the stream's tenant) allowed an app to do. Either one member's
// consent (authorization_code) or one client_credentials token of an app acting for an
// organisation that installed it (no member). Every code, access token and refresh token belongs
// to one grant, and revoking the grant ends all of them. Codes and tokens themselves are security
// state kept beside the grant (oauth_codes, oauth_refresh_tokens), not events.

public interface IGrantEvent;

public sealed record GrantCreated(
    Guid GrantId, Guid TenantId, Guid AppId, Guid? MemberId, string GrantType, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt) : IGrantEvent;

/// <param name="Reason">One of <see cref="GrantRevocationReasons"/>.</param>
public sealed record GrantRevoked(Guid GrantId, Guid TenantId, Guid AppId, string Reason, DateTimeOffset RevokedAt) : IGrantEvent;

/// <summary>
/// A grant as the release before event-sourced grants stored it (a row of <c>oauth_grants</c>), written
/// once by the upgrade migration 0025 as the first and only event of its stream.
/// </summary>
public sealed record GrantImported(
    Guid GrantId, Guid TenantId, Guid AppId, Guid? MemberId, string GrantType, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt, string? RevokeReason) : IGrantEvent;
