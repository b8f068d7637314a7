using Integrations.Domain.Common;

namespace Integrations.Domain.Connections;

// A tenant's account in one external system (its Slack workspace, its Jira site, its Exact
// division), and our authorization to act in it. The credentials themselves never enter the
// stream: they live encrypted in the credential vault, and events only say which version of them
// is current. The stream is the connection's audit log.

public interface IConnectionEvent
{
    Guid ConnectionId { get; }

    Guid TenantId { get; }
}

/// <summary>The wire values of a connection's status.</summary>
public static class ConnectionStatuses
{
    /// <summary>Created; waiting for the OAuth authorization to come back.</summary>
    public const string Pending = "pending";
    public const string Connected = "connected";
    /// <summary>The provider refused our refresh token (invalid_grant): someone must authorize again.</summary>
    public const string NeedsReauth = "needs_reauth";
    /// <summary>Its health check failed too often in a row, or the provider told us access ended.</summary>
    public const string Disconnected = "disconnected";
    /// <summary>The last authorization attempt failed at the provider (denied, or an error).</summary>
    public const string Error = "error";
    public const string Deleted = "deleted";
}

/// <summary>Who did something to the connection: an API key, a member, an OAuth app, or the platform.</summary>
/// <param name="Settings">The endpoints a connection of the generic http provider brings itself; null for catalog providers.</param>
public sealed record ConnectionCreated(Guid ConnectionId, Guid TenantId, string Provider, string AuthKind, string? DisplayName, string Actor,
    DateTimeOffset CreatedAt, ConnectionSettings? Settings = null) : IConnectionEvent;

/// <summary>A connect URL was handed out; the authorization comes back to our callback with the state it names (by hash).</summary>
public sealed record AuthorizationRequested(Guid ConnectionId, Guid TenantId, string StateHash, DateTimeOffset ExpiresAt, bool Reconnect,
    string Actor, DateTimeOffset RequestedAt) : IConnectionEvent;

/// <summary>The provider authorized us; <see cref="CredentialVersion"/> is the vault record now current.</summary>
/// <param name="ExternalAccountId">The account the credentials belong to at the provider (Slack team, Jira cloud id, HubSpot portal…): inbound traffic is routed by it.</param>
public sealed record ConnectionAuthorized(Guid ConnectionId, Guid TenantId, string ExternalAccountId, string? ExternalAccountName,
    IReadOnlyList<string> Scopes, int CredentialVersion, DateTimeOffset? AccessExpiresAt, string Actor, DateTimeOffset AuthorizedAt) : IConnectionEvent;

/// <summary>The authorization came back refused or broken (the user denied it, the provider answered an error).</summary>
public sealed record AuthorizationFailed(Guid ConnectionId, Guid TenantId, string Error, string? Description, DateTimeOffset FailedAt) : IConnectionEvent;

/// <param name="RefreshTokenRotated">The provider issued a new refresh token with it (stored before the new access token was used).</param>
public sealed record TokenRefreshed(Guid ConnectionId, Guid TenantId, int CredentialVersion, DateTimeOffset? AccessExpiresAt, bool RefreshTokenRotated,
    DateTimeOffset RefreshedAt) : IConnectionEvent;

/// <param name="Permanent">The provider refused the refresh token (invalid_grant): only a new authorization helps.</param>
/// <param name="RetryAt">For a transient failure: when the next refresh may be tried (the cooldown).</param>
public sealed record TokenRefreshFailed(Guid ConnectionId, Guid TenantId, string Error, bool Permanent, DateTimeOffset? RetryAt,
    DateTimeOffset FailedAt) : IConnectionEvent;

public sealed record HealthCheckFailed(Guid ConnectionId, Guid TenantId, string Error, int FailuresInARow, DateTimeOffset CheckedAt) : IConnectionEvent;

/// <summary>A health check succeeded after failures (and, if they had disconnected it, it is connected again).</summary>
public sealed record HealthRestored(Guid ConnectionId, Guid TenantId, DateTimeOffset CheckedAt) : IConnectionEvent;

/// <param name="Reason">health_check (too many failures in a row), revoked (the provider told us: uninstalled, tokens revoked).</param>
public sealed record ConnectionDisconnected(Guid ConnectionId, Guid TenantId, string Reason, string? Detail, DateTimeOffset DisconnectedAt) : IConnectionEvent;

/// <param name="RevokedAtProvider">Whether the provider confirmed it revoked our tokens (not every provider can).</param>
public sealed record ConnectionDeleted(Guid ConnectionId, Guid TenantId, bool RevokedAtProvider, string Actor, DateTimeOffset DeletedAt) : IConnectionEvent;

public abstract record ConnectionCommand;

public sealed record CreateConnection(Guid ConnectionId, Guid TenantId, string Provider, string AuthKind, string? DisplayName, string Actor,
    DateTimeOffset Now, ConnectionSettings? Settings = null) : ConnectionCommand;

public sealed record RequestAuthorization(string StateHash, TimeSpan ValidFor, string Actor, DateTimeOffset Now) : ConnectionCommand;

/// <summary>The callback arrived (or credentials were given directly and verified): <paramref name="StateHash"/> is null for direct credentials.</summary>
public sealed record CompleteAuthorization(string? StateHash, string ExternalAccountId, string? ExternalAccountName, IReadOnlyList<string> Scopes,
    int CredentialVersion, DateTimeOffset? AccessExpiresAt, string Actor, DateTimeOffset Now) : ConnectionCommand;

public sealed record FailAuthorization(string StateHash, string Error, string? Description, DateTimeOffset Now) : ConnectionCommand;

public sealed record RecordTokenRefresh(int CredentialVersion, DateTimeOffset? AccessExpiresAt, bool RefreshTokenRotated, DateTimeOffset Now) : ConnectionCommand;

public sealed record RecordTokenRefreshFailure(string Error, bool Permanent, DateTimeOffset? RetryAt, DateTimeOffset Now) : ConnectionCommand;

/// <param name="DisconnectAfter">Failures in a row that disconnect it (Connections:HealthCheck:DisconnectAfter).</param>
public sealed record RecordHealthCheck(bool Succeeded, string? Error, int DisconnectAfter, DateTimeOffset Now) : ConnectionCommand;

/// <summary>The provider told us our access ended (an uninstall, revoked tokens).</summary>
public sealed record RecordRevocation(string Detail, DateTimeOffset Now) : ConnectionCommand;

public sealed record DeleteConnection(bool RevokedAtProvider, string Actor, DateTimeOffset Now) : ConnectionCommand;

/// <param name="PendingStateHash">The state of the authorization in progress, if one is (and until when it may come back).</param>
/// <param name="RefreshRetryAt">A transient refresh failure's cooldown: no refresh before this.</param>
public sealed record ConnectionState(
    Guid ConnectionId,
    Guid TenantId,
    string Provider,
    string AuthKind,
    string Status,
    string? ExternalAccountId,
    int CredentialVersion,
    DateTimeOffset? AccessExpiresAt,
    string? PendingStateHash,
    DateTimeOffset? PendingExpiresAt,
    int HealthFailuresInARow,
    string? DisconnectedReason,
    DateTimeOffset? RefreshRetryAt,
    int RefreshFailuresInARow = 0,
    ConnectionSettings? Settings = null)
{
    public static readonly ConnectionState None = new(Guid.Empty, Guid.Empty, "", "", "", null, 0, null, null, null, 0, null, null);

    public bool Exists => Status is not "" and not ConnectionStatuses.Deleted;

    /// <summary>Whether it holds credentials we can use (authorized once, and neither refused since nor deleted).</summary>
    public bool Usable => (Status is ConnectionStatuses.Connected or ConnectionStatuses.Disconnected) && CredentialVersion > 0
                          && DisconnectedReason != DisconnectReasons.Revoked;
}

public static class DisconnectReasons
{
    public const string HealthCheck = "health_check";
    public const string Revoked = "revoked";
}

public static class ConnectionDecider
{
    public static readonly Decider<ConnectionCommand, ConnectionState, IConnectionEvent> Decider = new(Decide, Evolve, ConnectionState.None);

    public static string StreamId(Guid connectionId) => $"connection-{connectionId:N}";

    public static IReadOnlyList<IConnectionEvent> Decide(ConnectionCommand command, ConnectionState state) => command switch
    {
        CreateConnection c when state.Status != "" => throw new DomainException("connection_exists", $"Connection {c.ConnectionId} already exists."),
        CreateConnection c => [new ConnectionCreated(c.ConnectionId, c.TenantId, c.Provider, c.AuthKind, c.DisplayName, c.Actor, c.Now, c.Settings)],
        _ when !state.Exists => throw new DomainException("connection_not_found", "The connection does not exist."),
        RequestAuthorization c => [new AuthorizationRequested(state.ConnectionId, state.TenantId, c.StateHash, c.Now + c.ValidFor,
            Reconnect: state.CredentialVersion > 0, c.Actor, c.Now)],
        CompleteAuthorization c => Complete(c, state),
        FailAuthorization c when c.StateHash != state.PendingStateHash => [],
        FailAuthorization c => [new AuthorizationFailed(state.ConnectionId, state.TenantId, c.Error, c.Description, c.Now)],
        // A refresh that raced a new authorization (or a deletion) records nothing.
        RecordTokenRefresh when state.Status is not (ConnectionStatuses.Connected or ConnectionStatuses.Disconnected) => [],
        RecordTokenRefresh c => [new TokenRefreshed(state.ConnectionId, state.TenantId, c.CredentialVersion, c.AccessExpiresAt, c.RefreshTokenRotated, c.Now)],
        RecordTokenRefreshFailure when state.Status is ConnectionStatuses.NeedsReauth or ConnectionStatuses.Pending or ConnectionStatuses.Error => [],
        RecordTokenRefreshFailure c => [new TokenRefreshFailed(state.ConnectionId, state.TenantId, c.Error, c.Permanent, c.Permanent ? null : c.RetryAt, c.Now)],
        RecordHealthCheck c => HealthCheck(c, state),
        RecordRevocation when state.DisconnectedReason == DisconnectReasons.Revoked || state.CredentialVersion == 0 => [],
        RecordRevocation c => [new ConnectionDisconnected(state.ConnectionId, state.TenantId, DisconnectReasons.Revoked, c.Detail, c.Now)],
        DeleteConnection c => [new ConnectionDeleted(state.ConnectionId, state.TenantId, c.RevokedAtProvider, c.Actor, c.Now)],
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown connection command."),
    };

    public static ConnectionState Evolve(ConnectionState state, IConnectionEvent @event) => @event switch
    {
        ConnectionCreated e => ConnectionState.None with
        {
            ConnectionId = e.ConnectionId, TenantId = e.TenantId, Provider = e.Provider, AuthKind = e.AuthKind, Status = ConnectionStatuses.Pending,
            Settings = e.Settings,
        },
        AuthorizationRequested e => state with { PendingStateHash = e.StateHash, PendingExpiresAt = e.ExpiresAt },
        ConnectionAuthorized e => state with
        {
            Status = ConnectionStatuses.Connected, ExternalAccountId = e.ExternalAccountId, CredentialVersion = e.CredentialVersion,
            AccessExpiresAt = e.AccessExpiresAt, PendingStateHash = null, PendingExpiresAt = null, HealthFailuresInARow = 0,
            DisconnectedReason = null, RefreshRetryAt = null, RefreshFailuresInARow = 0,
        },
        // A failed reconnect leaves a working connection working; a first authorization that failed is an error.
        AuthorizationFailed => state with
        {
            Status = state.CredentialVersion > 0 ? state.Status : ConnectionStatuses.Error, PendingStateHash = null, PendingExpiresAt = null,
        },
        TokenRefreshed e => state with
        {
            CredentialVersion = e.CredentialVersion, AccessExpiresAt = e.AccessExpiresAt, RefreshRetryAt = null, RefreshFailuresInARow = 0,
        },
        TokenRefreshFailed { Permanent: true } => state with { Status = ConnectionStatuses.NeedsReauth, RefreshRetryAt = null },
        TokenRefreshFailed e => state with { RefreshRetryAt = e.RetryAt, RefreshFailuresInARow = state.RefreshFailuresInARow + 1 },
        HealthCheckFailed e => state with { HealthFailuresInARow = e.FailuresInARow },
        HealthRestored => state with
        {
            HealthFailuresInARow = 0,
            Status = state.DisconnectedReason == DisconnectReasons.HealthCheck ? ConnectionStatuses.Connected : state.Status,
            DisconnectedReason = state.DisconnectedReason == DisconnectReasons.HealthCheck ? null : state.DisconnectedReason,
        },
        ConnectionDisconnected e => state with { Status = ConnectionStatuses.Disconnected, DisconnectedReason = e.Reason },
        ConnectionDeleted => state with { Status = ConnectionStatuses.Deleted, PendingStateHash = null, PendingExpiresAt = null },
        _ => state,
    };

    private static IReadOnlyList<IConnectionEvent> Complete(CompleteAuthorization c, ConnectionState state)
    {
        if (c.StateHash is not null)
        {
            // The state binds the callback to the tenant and the caller that asked: anything else is not ours.
            if (c.StateHash != state.PendingStateHash)
                throw new DomainException("invalid_state", "The authorization does not belong to this connection, or was already used.");
            if (state.PendingExpiresAt is { } expires && c.Now > expires)
                throw new DomainException("authorization_expired", "The authorization took too long; start the connection again.");
        }
        // A reconnect must land in the same account: routes and links belong to it.
        if (state.ExternalAccountId is { } account && account != c.ExternalAccountId)
            throw new DomainException("account_mismatch",
                $"This connection belongs to account {account} at the provider; the authorization was for {c.ExternalAccountId}. Create a new connection for another account.");
        return [new ConnectionAuthorized(state.ConnectionId, state.TenantId, c.ExternalAccountId, c.ExternalAccountName, c.Scopes, c.CredentialVersion,
            c.AccessExpiresAt, c.Actor, c.Now)];
    }

    private static IReadOnlyList<IConnectionEvent> HealthCheck(RecordHealthCheck c, ConnectionState state)
    {
        if (state.Status is not (ConnectionStatuses.Connected or ConnectionStatuses.Disconnected) || state.DisconnectedReason == DisconnectReasons.Revoked) return [];
        if (c.Succeeded)
            return state.HealthFailuresInARow > 0 || state.DisconnectedReason == DisconnectReasons.HealthCheck
                ? [new HealthRestored(state.ConnectionId, state.TenantId, c.Now)]
                : [];
        var failures = state.HealthFailuresInARow + 1;
        var failed = new HealthCheckFailed(state.ConnectionId, state.TenantId, c.Error ?? "unknown", failures, c.Now);
        return failures >= c.DisconnectAfter && state.Status == ConnectionStatuses.Connected
            ? [failed, new ConnectionDisconnected(state.ConnectionId, state.TenantId, DisconnectReasons.HealthCheck, c.Error, c.Now)]
            : [failed];
    }
}
