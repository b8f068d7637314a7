namespace Integrations.Domain.Marketplace;

public static class GrantTypes
{
    public const string AuthorizationCode = "authorization_code";
    public const string ClientCredentials = "client_credentials";
}

/// <summary>Why a grant was revoked; recorded as oauth_grants.revoke_reason.</summary>
public static class GrantRevocationReasons
{
    /// <summary>The member who consented was removed from the organisation.</summary>
    public const string MemberRemoved = "member_removed";

    /// <summary>The organisation disconnected the app.</summary>
    public const string AppDisconnected = "app_disconnected";

    /// <summary>The client revoked one of its tokens (RFC 7009).</summary>
    public const string RevokedByClient = "revoked_by_client";

    /// <summary>An authorization code was presented a second time (RFC 6749 §4.1.2).</summary>
    public const string CodeReuse = "code_reuse";

    /// <summary>A code exchange failed a check (client, redirect URI, PKCE, expiry).</summary>
    public const string FailedCodeExchange = "failed_code_exchange";

    /// <summary>A rotated refresh token was used again (RFC 9700 §4.14.2).</summary>
    public const string RefreshTokenReuse = "refresh_token_reuse";

    /// <summary>A refresh token was presented by another client than its own.</summary>
    public const string RefreshTokenWrongClient = "refresh_token_wrong_client";

    public static readonly IReadOnlyList<string> All =
        [MemberRemoved, AppDisconnected, RevokedByClient, CodeReuse, FailedCodeExchange, RefreshTokenReuse, RefreshTokenWrongClient];
}

public sealed record GrantState(
    Guid GrantId,
    Guid TenantId,
    Guid AppId,
    Guid? MemberId,
    string GrantType,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt,
    string? RevokeReason)
{
    public static readonly GrantState None = new(Guid.Empty, Guid.Empty, Guid.Empty, null, "", [], DateTimeOffset.MinValue, null, null);

    public bool Exists => GrantId != Guid.Empty;

    public bool Revoked => RevokedAt is not null;
}
