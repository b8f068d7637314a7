using Integrations.Application.Connections;
using Integrations.Infrastructure.Persistence;

namespace Integrations.Infrastructure.Connections;

/// <summary><see cref="IConnectAuthorizations"/> on <c>connection_authorizations</c> (migration 0028).</summary>
public sealed class PostgresConnectAuthorizations(DbSession session) : IConnectAuthorizations
{
    private const string Columns = "state_hash, tenant_id, connection_id, provider, actor, protected_verifier, redirect_uri, return_url, scopes, expires_at, created_at";

    public Task SaveAsync(PendingAuthorization a, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await Sql.ExecuteAsync(connection, transaction, $"""
                delete from connection_authorizations where connection_id = @connection_id and tenant_id = @tenant_id;
                insert into connection_authorizations ({Columns})
                values (@state_hash, @tenant_id, @connection_id, @provider, @actor, @protected_verifier, @redirect_uri, @return_url, @scopes, @expires_at, @created_at)
                """, ct, ("state_hash", a.StateHash), ("tenant_id", a.TenantId), ("connection_id", a.ConnectionId), ("provider", a.Provider), ("actor", a.Actor),
                ("protected_verifier", a.ProtectedCodeVerifier), ("redirect_uri", a.RedirectUri), ("return_url", a.ReturnUrl),
                ("scopes", a.Scopes.ToArray()), ("expires_at", Sql.Utc(a.ExpiresAt)), ("created_at", Sql.Utc(a.CreatedAt)));
        }, ct);

    public Task<PendingAuthorization?> TakeAsync(string stateHash, string provider, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            // One statement: of concurrent callbacks with the same state, one deletes the row and the others find none.
            await using var command = Sql.Command(connection, transaction,
                $"delete from connection_authorizations where state_hash = @state_hash and provider = @provider returning {Columns}",
                ("state_hash", stateHash), ("provider", provider));
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) return null;
            return new PendingAuthorization(reader.GetString(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.GetFieldValue<string[]>(8), reader.GetFieldValue<DateTimeOffset>(9), reader.GetFieldValue<DateTimeOffset>(10));
        }, ct);

    public Task ForgetConnectionAsync(Guid tenantId, Guid connectionId, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => Sql.ExecuteAsync(connection, transaction,
            "delete from connection_authorizations where connection_id = @connection_id and tenant_id = @tenant_id", ct,
            ("connection_id", connectionId), ("tenant_id", tenantId)), ct);

    public Task<int> PurgeExpiredAsync(DateTimeOffset before, CancellationToken ct) =>
        session.RunAsync((connection, transaction) => Sql.ExecuteAsync(connection, transaction,
            "delete from connection_authorizations where expires_at < @before", ct, ("before", Sql.Utc(before))), ct);
}
