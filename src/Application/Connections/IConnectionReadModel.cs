using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;

namespace Integrations.Application.Connections;

/// <param name="Id">The provider's id of the account (Slack team, Jira cloud id …).</param>
public sealed record ConnectionAccountDto(string Id, string? Name);

/// <summary>The endpoints a connection of the generic http provider brought (never a credential).</summary>
public sealed record ConnectionSettingsDto(string? BaseUrl, string? TokenUrl, string? HealthCheckPath, string? AccountIdPath, string? AccountNamePath,
    string? ApiKeyHeader);

/// <param name="ExpiresAt">When the access token expires, if the provider said.</param>
/// <param name="RetryAt">After a transient refresh failure, no refresh is tried before this (the cooldown).</param>
public sealed record ConnectionTokenDto(DateTimeOffset? ExpiresAt, DateTimeOffset? LastRefreshedAt, int FailuresInARow, DateTimeOffset? RetryAt,
    string? LastError);

/// <param name="NextCheckAt">When the periodic check runs next (each connection keeps its own phase within the interval).</param>
public sealed record ConnectionHealthDto(int FailuresInARow, string? LastError, DateTimeOffset? LastFailureAt, DateTimeOffset? LastCheckedAt,
    DateTimeOffset? NextCheckAt);

/// <summary>A connection as its tenant sees it: never a credential.</summary>
/// <param name="Status">pending, connected, needs_reauth, disconnected, error (deleted ones are not shown).</param>
/// <param name="DisconnectedReason">health_check or revoked, while disconnected.</param>
/// <param name="LastError">Why the last authorization failed (access_denied …), while the status is error.</param>
public sealed record ConnectionDto(
    Guid Id,
    string Provider,
    string AuthKind,
    string? DisplayName,
    string Status,
    ConnectionAccountDto? Account,
    IReadOnlyList<string> Scopes,
    ConnectionSettingsDto? Settings,
    string? DisconnectedReason,
    string? LastError,
    DateTimeOffset? AuthorizedAt,
    ConnectionTokenDto Token,
    ConnectionHealthDto Health,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The identity map: a connection to one external account, and whose it is.</summary>
public sealed record ConnectionIdentity(Guid TenantId, Guid ConnectionId, string Provider, string ExternalAccountId, string Status);

/// <summary>One entry of a connection's audit log: an event of its stream, without anything secret.</summary>
/// <param name="Action">created, authorization_requested, connected, reconnected, authorization_failed, token_refreshed, token_refresh_failed, health_check_failed, health_restored, disconnected, deleted.</param>
/// <param name="Actor">Who: <c>api_key:&lt;id&gt;</c>, <c>oauth:&lt;client&gt;:&lt;member&gt;</c> (an OAuth app acting for a member), <c>admin</c>, or <c>system</c> (the platform: refreshes, health checks).</param>
/// <param name="ActorType">api_key, oauth_app, admin or system.</param>
/// <param name="Details">What the event says: scopes granted, the error, failures in a row, the account …</param>
public sealed record ConnectionAuditEntryDto(Guid Id, string Action, string Actor, string ActorType, DateTimeOffset At,
    IReadOnlyDictionary<string, object?> Details);

/// <summary>A connection whose token may need a refresh (the sweep looks at each under the lock).</summary>
public sealed record RefreshCandidate(Guid TenantId, Guid ConnectionId, string Provider);

/// <summary>The connections read model (table connections, an inline projection of the connection streams) and its audit log.</summary>
public interface IConnectionReadModel
{
    /// <summary>The tenant's connection; null if there is none, it is another tenant's, or it was deleted (unless <paramref name="includeDeleted"/>).</summary>
    Task<ConnectionDto?> FindAsync(Guid tenantId, Guid connectionId, CancellationToken ct, bool includeDeleted = false);

    /// <summary>Newest first, keyset-paginated; deleted connections are not listed.</summary>
    Task<CursorPage<ConnectionDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct);

    /// <summary>
    /// The identity map, across tenants: the live connections (not deleted) to this account at this
    /// provider. Several tenants may have connected the same account; the caller decides.
    /// </summary>
    Task<IReadOnlyList<ConnectionIdentity>> FindByAccountAsync(string provider, string externalAccountId, CancellationToken ct);

    /// <summary>The connection's audit log, oldest first by default, keyset-paginated (deleted connections keep theirs).</summary>
    Task<CursorPage<ConnectionAuditEntryDto>> ListAuditLogAsync(Guid tenantId, Guid connectionId, ListQuery query, CancellationToken ct);

    /// <summary>
    /// OAuth connections (connected or disconnected, not cooling down) whose access token expires
    /// before <paramref name="expiresBefore"/>, or whose refresh token was last exercised before
    /// <paramref name="exercisedBefore"/>; soonest first, at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<RefreshCandidate>> FindRefreshDueAsync(DateTimeOffset expiresBefore, DateTimeOffset exercisedBefore, DateTimeOffset now, int limit,
        CancellationToken ct);
}
