using System.Text.Json;
using Integrations.Application.Common;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections;
using Integrations.Domain.Connections;
using NpgsqlTypes;

namespace Integrations.Infrastructure.Persistence.Projections;

/// <summary>
/// Connection streams into <c>connections</c> (ADR 0016): inline, because the request that
/// creates or reconnects a connection answers from it, and the Workers' token sweep and the
/// identity map query it. Its columns follow the decider's Evolve (status, account, credential
/// version, cooldown, failures in a row); deleted connections keep their row as 'deleted'.
/// </summary>
public sealed class ConnectionsProjection : SqlProjection
{
    public override string Name => "connections";

    public override IReadOnlyList<string> Tables { get; } = ["connections"];

    public override IReadOnlySet<Type> Handles { get; } = new HashSet<Type>
    {
        typeof(ConnectionCreated), typeof(AuthorizationRequested), typeof(ConnectionAuthorized), typeof(AuthorizationFailed), typeof(TokenRefreshed),
        typeof(TokenRefreshFailed), typeof(HealthCheckFailed), typeof(HealthRestored), typeof(ConnectionDisconnected), typeof(ConnectionDeleted),
    };

    public override IEnumerable<SqlStatement> Apply(IReadOnlyList<StoredEvent> events) => events.Select(Statement).OfType<SqlStatement>();

    private static SqlStatement? Statement(StoredEvent stored)
    {
        var statement = stored.Data switch
        {
            ConnectionCreated e => new SqlStatement("""
                insert into connections (id, tenant_id, provider, auth_kind, display_name, status, settings, created_at, updated_at, version)
                values (@id, @tenant_id, @provider, @auth_kind, @display_name, 'pending', @settings, @at, @at, @version)
                on conflict (id) do update set tenant_id = excluded.tenant_id, provider = excluded.provider, auth_kind = excluded.auth_kind,
                    display_name = excluded.display_name, status = 'pending', settings = excluded.settings, created_at = excluded.created_at,
                    updated_at = excluded.updated_at, version = excluded.version
                """).With("tenant_id", e.TenantId).With("provider", e.Provider).With("auth_kind", e.AuthKind)
                .With("display_name", e.DisplayName, NpgsqlDbType.Text).With("settings", SettingsJson(e.Settings), NpgsqlDbType.Jsonb).With("at", Sql.Utc(e.CreatedAt)),
            AuthorizationRequested e => Update("", e.RequestedAt),
            ConnectionAuthorized e => Update("""
                status = 'connected', external_account_id = @account_id, external_account_name = @account_name, scopes = @scopes,
                credential_version = @credential_version, authorized_at = @at, access_expires_at = @expires_at, token_exercised_at = @at,
                disconnected_reason = null, last_error = null, refresh_failures_in_a_row = 0, refresh_retry_at = null, last_refresh_error = null,
                health_failures_in_a_row = 0, last_health_error = null,
                """, e.AuthorizedAt).With("account_id", e.ExternalAccountId).With("account_name", e.ExternalAccountName, NpgsqlDbType.Text)
                .With("scopes", e.Scopes.ToArray()).With("credential_version", e.CredentialVersion)
                .With("expires_at", MembersProjection.Time(e.AccessExpiresAt), NpgsqlDbType.TimestampTz),
            // A failed reconnect leaves a working connection as it was; a first authorization that failed is an error.
            AuthorizationFailed e => Update("status = case when credential_version > 0 then status else 'error' end, last_error = @error,", e.FailedAt)
                .With("error", e.Error),
            TokenRefreshed e => Update("""
                credential_version = @credential_version, access_expires_at = @expires_at, last_refreshed_at = @at, token_exercised_at = @at,
                refresh_failures_in_a_row = 0, refresh_retry_at = null, last_refresh_error = null,
                """, e.RefreshedAt).With("credential_version", e.CredentialVersion)
                .With("expires_at", MembersProjection.Time(e.AccessExpiresAt), NpgsqlDbType.TimestampTz),
            TokenRefreshFailed { Permanent: true } e => Update("status = 'needs_reauth', refresh_retry_at = null, last_refresh_error = @error,", e.FailedAt)
                .With("error", e.Error),
            TokenRefreshFailed e => Update("""
                refresh_failures_in_a_row = refresh_failures_in_a_row + 1, refresh_retry_at = @retry_at, last_refresh_error = @error,
                """, e.FailedAt).With("error", e.Error).With("retry_at", MembersProjection.Time(e.RetryAt), NpgsqlDbType.TimestampTz),
            HealthCheckFailed e => Update("health_failures_in_a_row = @failures, last_health_error = @error, last_health_failure_at = @at,", e.CheckedAt)
                .With("failures", e.FailuresInARow).With("error", e.Error),
            HealthRestored e => Update("""
                health_failures_in_a_row = 0,
                status = case when disconnected_reason = 'health_check' then 'connected' else status end,
                disconnected_reason = case when disconnected_reason = 'health_check' then null else disconnected_reason end,
                """, e.CheckedAt),
            ConnectionDisconnected e => Update("status = 'disconnected', disconnected_reason = @reason,", e.DisconnectedAt).With("reason", e.Reason),
            ConnectionDeleted e => Update("status = 'deleted',", e.DeletedAt),
            _ => null,
        };
        return statement?.With("id", ((IConnectionEvent)stored.Data).ConnectionId).With("version", stored.StreamVersion);
    }

    private static SqlStatement Update(string assignments, DateTimeOffset at) =>
        new SqlStatement($"update connections set {assignments} updated_at = @at, version = @version where id = @id").With("at", Sql.Utc(at));

    public static string? SettingsJson(ConnectionSettings? settings) => settings is null ? null : JsonSerializer.Serialize(ToDto(settings), JsonDefaults.Options);

    public static ConnectionSettingsDto ToDto(ConnectionSettings settings) => new(settings.BaseUrl?.OriginalString, settings.TokenUrl?.OriginalString,
        settings.HealthCheckPath, settings.AccountIdPath, settings.AccountNamePath, settings.ApiKeyHeader);
}
