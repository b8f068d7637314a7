using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Connections;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Connection streams into <c>connection_audit_log</c>: one row per event, with who did it (the
/// event's actor where it names one — the caller who asked for the authorization, not the browser
/// that brought it back — else the request's) and what it says, never a state hash or a credential.
/// </summary>
public sealed class ConnectionAuditLogProjection : SqlProjection
{
    public override string Name => "connection_audit_log";

    public override IReadOnlyList<string> Tables { get; } = ["connection_audit_log"];

    public override IReadOnlySet<Type> Handles { get; } = new ConnectionsProjection().Handles;

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events) => events.Select(Statement).OfType<SqlStatement>();

    private static SqlStatement? Statement(StoredEvent stored)
    {
        if (Entry(stored.Data) is not var (action, actor, details)) return null;
        var @event = (IConnectionEvent)stored.Data;
        return new SqlStatement("""
            insert into connection_audit_log (id, tenant_id, connection_id, sequence, action, actor, at, details)
            values (@id, @tenant_id, @connection_id, @sequence, @action, @actor, @at, @details)
            on conflict (id) do nothing
            """).With("id", stored.EventId).With("tenant_id", @event.TenantId).With("connection_id", @event.ConnectionId)
            .With("sequence", stored.GlobalSequence).With("action", action).With("actor", actor ?? stored.Metadata.Actor).With("at", Sql.Utc(stored.Timestamp))
            .With("details", JsonSerializer.Serialize(details, JsonDefaults.Options), NpgsqlDbType.Jsonb);
    }

    private static (string Action, string? Actor, Dictionary<string, object?> Details)? Entry(object @event) => @event switch
    {
        ConnectionCreated e => ("created", e.Actor, new() { ["provider"] = e.Provider, ["auth_kind"] = e.AuthKind, ["display_name"] = e.DisplayName }),
        AuthorizationRequested e => ("authorization_requested", e.Actor, new() { ["reconnect"] = e.Reconnect, ["expires_at"] = e.ExpiresAt }),
        // The first credential is version 1: a later authorization replaces an earlier one.
        ConnectionAuthorized e => (e.CredentialVersion == 1 ? "connected" : "reconnected", e.Actor, new()
        {
            ["account_id"] = e.ExternalAccountId, ["account_name"] = e.ExternalAccountName, ["scopes"] = e.Scopes, ["access_expires_at"] = e.AccessExpiresAt,
        }),
        AuthorizationFailed e => ("authorization_failed", null, new() { ["error"] = e.Error, ["description"] = e.Description }),
        TokenRefreshed e => ("token_refreshed", null, new() { ["access_expires_at"] = e.AccessExpiresAt, ["refresh_token_rotated"] = e.RefreshTokenRotated }),
        TokenRefreshFailed e => ("token_refresh_failed", null, new() { ["error"] = e.Error, ["permanent"] = e.Permanent, ["retry_at"] = e.RetryAt }),
        HealthCheckFailed e => ("health_check_failed", null, new() { ["error"] = e.Error, ["failures_in_a_row"] = e.FailuresInARow }),
        HealthRestored => ("health_restored", null, new()),
        ConnectionDisconnected e => ("disconnected", null, new() { ["reason"] = e.Reason, ["detail"] = e.Detail }),
        ConnectionDeleted e => ("deleted", e.Actor, new() { ["revoked_at_provider"] = e.RevokedAtProvider }),
        _ => null,
    };
}
