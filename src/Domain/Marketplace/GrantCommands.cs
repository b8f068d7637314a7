namespace Integrations.Domain.Marketplace;

public abstract record GrantCommand;

/// <summary>A member of <paramref name="TenantId"/> consented to the app (authorization_code).</summary>
public sealed record GrantConsent(Guid GrantId, Guid TenantId, Guid AppId, Guid MemberId, IReadOnlyList<string> Scopes, DateTimeOffset Now) : GrantCommand;

/// <summary>The app gets a client_credentials token for an organisation that installed it.</summary>
public sealed record GrantClientCredentials(Guid GrantId, Guid TenantId, Guid AppId, IReadOnlyList<string> Scopes, DateTimeOffset Now) : GrantCommand;

/// <param name="Reason">One of <see cref="GrantRevocationReasons"/>.</param>
public sealed record RevokeGrant(string Reason, DateTimeOffset Now) : GrantCommand;
