namespace Integrations.Application.OAuth;

public sealed record SigningKeyRow(string Kid, string Algorithm, string PublicJwk, string PrivateKeyProtected, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt);

public sealed record MemberRow(Guid Id, Guid TenantId, string Email, string Role, string Status, string? PasswordHash,
    DateTimeOffset InvitedAt, DateTimeOffset? JoinedAt, DateTimeOffset? InvitationExpiresAt);

public sealed record AppRow(Guid Id, string ClientId, Guid OwnerTenantId, string Name, string Description, string? HomepageUrl, string? LogoUrl,
    string[] RedirectUris, string[] Scopes, string ClientType, string? ClientSecretHash, string Visibility, Guid[] AllowedTenantIds,
    string ReviewStatus, string? ReviewReason, DateTimeOffset CreatedAt, string Category = "other")
{
    public bool IsConfidential => ClientType == "confidential";

    /// <summary>The owner, a listed organisation, or anyone once the app is public and approved.</summary>
    public bool InstallableBy(Guid tenantId) =>
        tenantId == OwnerTenantId || AllowedTenantIds.Contains(tenantId) || (Visibility == "public" && ReviewStatus == "approved");
}

/// <summary>
/// One consent of a member (authorization_code), or one client_credentials token of an app acting for
/// an organisation that installed it (<see cref="MemberId"/> null: no resource owner is involved).
/// </summary>
public sealed record GrantRow(Guid Id, Guid TenantId, Guid? MemberId, Guid AppId, string[] Scopes, DateTimeOffset? RevokedAt)
{
    public bool IsClientCredentials => MemberId is null;
}

/// <summary>Per-account sign-in lockout: <see cref="MaxFailures"/> failed passwords within <see cref="Window"/> lock the account for <see cref="Lockout"/>.</summary>
public sealed record SignInLockoutPolicy(int MaxFailures, TimeSpan Window, TimeSpan Lockout);

/// <summary>What an authorization code was bound to; returned once, by the redemption that consumed it.</summary>
public sealed record CodeRedemption(GrantRow Grant, string ClientId, string RedirectUri, string? CodeChallenge, DateTimeOffset ExpiresAt);

public enum CodeOutcome { Redeemed, Unknown, AlreadyRedeemed }

public enum RefreshOutcome { Rotated, Unknown, Reused }

public sealed record RefreshTokenRow(Guid GrantId, string ClientId, string[] Scopes, DateTimeOffset ExpiresAt, bool Used);

public sealed record RefreshUse(RefreshOutcome Outcome, Guid? GrantId, string? ClientId, string[] Scopes, DateTimeOffset? ExpiresAt);

/// <summary>An access token's grant as the API checks it on each request: revoked or not, and the tenant's plan.</summary>
public sealed record GrantStatus(bool Revoked, string Plan);


/// <summary>
/// The authorization server's reads and its security state. Members, apps and grants are
/// event-sourced (their streams go through <see cref="Common.EventSourcing.AggregateStore"/>); here
/// they are read from their inline projections (members, oauth_apps, oauth_grants), which a request
/// reads its own writes from. What is written here is security state, not business facts: signing
/// keys, authorization codes, refresh tokens and sign-in failure counters (ADR 0011).
/// </summary>
public interface IOAuthStore
{
    Task<IReadOnlyList<SigningKeyRow>> SigningKeysAsync(CancellationToken ct);
    Task InsertSigningKeyAsync(SigningKeyRow key, CancellationToken ct);
    /// <summary>
    /// Inserts <paramref name="key"/> and retires every other unretired key, in one transaction and one rotation at a time
    /// across processes: two concurrent rotations must not retire each other's key and leave none current.
    /// </summary>
    Task RotateSigningKeyAsync(SigningKeyRow key, DateTimeOffset at, CancellationToken ct);

    /// <summary>The invited member whose invitation has this hash.</summary>
    Task<MemberRow?> FindMemberByInvitationAsync(string invitationHash, CancellationToken ct);
    Task<MemberRow?> FindMemberAsync(Guid tenantId, Guid memberId, CancellationToken ct);
    Task<MemberRow?> FindActiveMemberByEmailAsync(Guid tenantId, string email, CancellationToken ct);
    /// <summary>Whether the organisation has an active or invited member with this e-mail address (case-insensitive).</summary>
    Task<bool> HasMemberWithEmailAsync(Guid tenantId, string email, CancellationToken ct);

    Task<AppRow?> FindAppByClientIdAsync(string clientId, CancellationToken ct);
    Task<AppRow?> FindAppAsync(Guid appId, CancellationToken ct);

    /// <summary>The code of a grant the consent created in the same transaction; only its hash is kept.</summary>
    Task InsertCodeAsync(string codeHash, Guid grantId, string clientId, string redirectUri, string? codeChallenge, DateTimeOffset expiresAt, CancellationToken ct);
    /// <summary>Consumes the code atomically: only one caller ever gets <see cref="CodeOutcome.Redeemed"/>.</summary>
    Task<(CodeOutcome Outcome, CodeRedemption? Code)> RedeemCodeAsync(string codeHash, DateTimeOffset at, CancellationToken ct);
    Task InsertRefreshTokenAsync(string tokenHash, Guid grantId, string clientId, string[] scopes, DateTimeOffset expiresAt, CancellationToken ct);
    /// <summary>Marks the refresh token used; a token already used reports <see cref="RefreshOutcome.Reused"/>.</summary>
    Task<RefreshUse> UseRefreshTokenAsync(string tokenHash, DateTimeOffset at, CancellationToken ct);
    Task<RefreshTokenRow?> FindRefreshTokenAsync(string tokenHash, CancellationToken ct);
    Task<GrantRow?> FindGrantAsync(Guid grantId, CancellationToken ct);
    /// <summary>The per-request check behind every access token: one primary-key lookup.</summary>
    Task<GrantStatus?> GrantStatusAsync(Guid grantId, CancellationToken ct);

    /// <summary>The organisation's grants that are not revoked, of one member and/or of one app (null: any).</summary>
    Task<IReadOnlyList<Guid>> LiveGrantIdsAsync(Guid tenantId, Guid? memberId, Guid? appId, CancellationToken ct);

    /// <summary>
    /// What the organisation consented to for the app: the union of the scopes of its members' grants
    /// that are not revoked. Empty when the app is not installed there (never was, or disconnected).
    /// </summary>
    Task<string[]> ConsentedScopesAsync(Guid tenantId, Guid appId, CancellationToken ct);
    /// <summary>Whether the member has a live grant for the app in the organisation covering every one of <paramref name="scopes"/> (remembered consent).</summary>
    Task<bool> HasConsentCoveringAsync(Guid tenantId, Guid memberId, Guid appId, string[] scopes, CancellationToken ct);

    /// <summary>Until when the member is locked out of sign-in, if they are at <paramref name="at"/>.</summary>
    Task<DateTimeOffset?> SignInLockedUntilAsync(Guid memberId, DateTimeOffset at, CancellationToken ct);
    /// <summary>Counts a failed password atomically (one statement, so concurrent instances count every failure); locks when the policy says so.</summary>
    Task RecordFailedSignInAsync(Guid memberId, DateTimeOffset at, SignInLockoutPolicy policy, CancellationToken ct);
    Task ClearFailedSignInsAsync(Guid memberId, CancellationToken ct);
}
