using System.Security.Cryptography;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections.Credentials;
using Integrations.Infrastructure.Security;
using Npgsql;

namespace Integrations.Infrastructure.Persistence.Credentials;

/// <summary>
/// The credential vault on PostgreSQL (table connection_credentials, migration 0026; ADR 0014). Each
/// write seals the record under a fresh data key before any SQL runs; the statements run on the
/// scope's <see cref="DbSession"/>, so they join the unit of work's transaction when one is open.
/// Only the facts the token sweep queries (expiry, last refresh, whether there is a refresh token)
/// are stored in plain columns.
/// </summary>
public sealed class PostgresCredentialVault(DbSession session, CredentialEnvelope envelope, IClock clock) : ICredentialVault
{
    public async Task<int> StoreAsync(Guid tenantId, Guid connectionId, ConnectionCredential credential, CancellationToken ct)
    {
        var row = await SealAsync(tenantId, connectionId, credential, ct);
        var version = await session.RunAsync(async (connection, transaction) =>
        {
            // The upsert only updates the tenant's own row: a connection id of another tenant returns nothing.
            await using var command = Sql.Command(connection, transaction, """
                insert into connection_credentials as c (connection_id, tenant_id, version, kek_id, wrapped_dek, ciphertext,
                    access_expires_at, has_refresh_token, refresh_exercised_at, updated_at)
                values (@connection_id, @tenant_id, 1, @kek_id, @wrapped_dek, @ciphertext,
                    @access_expires_at, @has_refresh_token, case when @has_refresh_token then @now end, @now)
                on conflict (connection_id) do update set version = c.version + 1, kek_id = excluded.kek_id, wrapped_dek = excluded.wrapped_dek,
                    ciphertext = excluded.ciphertext, access_expires_at = excluded.access_expires_at, has_refresh_token = excluded.has_refresh_token,
                    refresh_exercised_at = excluded.refresh_exercised_at, updated_at = excluded.updated_at
                where c.tenant_id = excluded.tenant_id
                returning version
                """);
            row.AddTo(command.Parameters);
            return await command.ExecuteScalarAsync(ct);
        }, ct);
        return version is int stored
            ? stored
            : throw new ConflictException("connection_credential_conflict", $"Connection {connectionId} belongs to another tenant; its credential was not changed.");
    }

    public async Task<StoredCredential?> ReadAsync(Guid tenantId, Guid connectionId, CancellationToken ct)
    {
        // Decrypted after the connection went back to the pool: a remote key provider is a network call.
        var row = await session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                select version, kek_id, wrapped_dek, ciphertext, updated_at, refresh_exercised_at
                from connection_credentials where connection_id = @connection_id and tenant_id = @tenant_id
                """, ("connection_id", connectionId), ("tenant_id", tenantId));
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) return null;
            return new
            {
                Version = reader.GetInt32(0),
                Sealed = new SealedCredential(reader.GetString(1), reader.GetFieldValue<byte[]>(2), reader.GetFieldValue<byte[]>(3)),
                UpdatedAt = reader.GetFieldValue<DateTimeOffset>(4),
                RefreshExercisedAt = reader.IsDBNull(5) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(5),
            };
        }, ct);
        return row is null
            ? null
            : new StoredCredential(tenantId, connectionId, row.Version, await OpenAsync(tenantId, connectionId, row.Sealed, ct), row.UpdatedAt,
                row.RefreshExercisedAt);
    }

    public async Task<CredentialReplacement> ReplaceAsync(Guid tenantId, Guid connectionId, int expectedVersion, ConnectionCredential credential,
        bool refreshTokenUsed, CancellationToken ct)
    {
        var row = await SealAsync(tenantId, connectionId, credential, ct);
        return await session.RunAsync(async (connection, transaction) =>
        {
            // A concurrent writer of the same version makes this wait for its commit; PostgreSQL then
            // re-checks the version against the committed row, so exactly one of them replaces it.
            await using var update = Sql.Command(connection, transaction, """
                update connection_credentials c set version = c.version + 1, kek_id = @kek_id, wrapped_dek = @wrapped_dek, ciphertext = @ciphertext,
                    access_expires_at = @access_expires_at, has_refresh_token = @has_refresh_token,
                    refresh_exercised_at = case when not @has_refresh_token then null
                                                when @refresh_used or c.refresh_exercised_at is null then @now
                                                else c.refresh_exercised_at end,
                    updated_at = @now
                where connection_id = @connection_id and tenant_id = @tenant_id and version = @expected_version
                returning version
                """, ("expected_version", expectedVersion), ("refresh_used", refreshTokenUsed));
            row.AddTo(update.Parameters);
            if (await update.ExecuteScalarAsync(ct) is int replaced) return new CredentialReplacement(true, replaced);

            await using var current = Sql.Command(connection, transaction,
                "select version from connection_credentials where connection_id = @connection_id and tenant_id = @tenant_id",
                ("connection_id", connectionId), ("tenant_id", tenantId));
            return new CredentialReplacement(false, await current.ExecuteScalarAsync(ct) as int?);
        }, ct);
    }

    public Task<bool> EraseAsync(Guid tenantId, Guid connectionId, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) => await Sql.ExecuteAsync(connection, transaction,
            "delete from connection_credentials where connection_id = @connection_id and tenant_id = @tenant_id", ct,
            ("connection_id", connectionId), ("tenant_id", tenantId)) > 0, ct);

    public Task<IReadOnlyList<CredentialRef>> FindDueAsync(DateTimeOffset accessExpiresBefore, DateTimeOffset refreshExercisedBefore, int limit,
        CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<CredentialRef>>(async (connection, transaction) =>
        {
            // Two index range scans (one partial index each), soonest due first.
            await using var command = Sql.Command(connection, transaction, """
                select tenant_id, connection_id from (
                    (select tenant_id, connection_id, access_expires_at as due from connection_credentials
                     where access_expires_at < @expires_before order by access_expires_at limit @limit)
                    union all
                    (select tenant_id, connection_id, refresh_exercised_at from connection_credentials
                     where has_refresh_token and refresh_exercised_at < @exercised_before order by refresh_exercised_at limit @limit)
                ) due
                group by tenant_id, connection_id
                order by min(due), connection_id
                limit @limit
                """, ("expires_before", Sql.Utc(accessExpiresBefore)), ("exercised_before", Sql.Utc(refreshExercisedBefore)), ("limit", limit));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var due = new List<CredentialRef>();
            while (await reader.ReadAsync(ct)) due.Add(new CredentialRef(reader.GetGuid(0), reader.GetGuid(1)));
            return due;
        }, ct);

    private async Task<SealedRow> SealAsync(Guid tenantId, Guid connectionId, ConnectionCredential credential, CancellationToken ct)
    {
        credential.EnsureComplete();
        var plaintext = CredentialPayload.Serialize(credential);
        try
        {
            var sealedCredential = await envelope.SealAsync(tenantId, connectionId, plaintext, ct);
            return new SealedRow(tenantId, connectionId, sealedCredential, credential.AccessExpiresAt, credential.RefreshToken is not null, clock.UtcNow);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private async Task<ConnectionCredential> OpenAsync(Guid tenantId, Guid connectionId, SealedCredential sealedCredential, CancellationToken ct)
    {
        byte[] plaintext;
        try
        {
            plaintext = await envelope.OpenAsync(tenantId, connectionId, sealedCredential, ct);
        }
        catch (CryptographicException ex)
        {
            throw new CredentialUnreadableException(connectionId, sealedCredential.KeyId, ex);
        }
        try
        {
            return CredentialPayload.Deserialize(plaintext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private sealed record SealedRow(Guid TenantId, Guid ConnectionId, SealedCredential Sealed, DateTimeOffset? AccessExpiresAt, bool HasRefreshToken,
        DateTimeOffset Now)
    {
        public void AddTo(NpgsqlParameterCollection parameters)
        {
            parameters.AddValue("connection_id", ConnectionId);
            parameters.AddValue("tenant_id", TenantId);
            parameters.AddValue("kek_id", Sealed.KeyId);
            parameters.AddValue("wrapped_dek", Sealed.WrappedKey);
            parameters.AddValue("ciphertext", Sealed.Ciphertext);
            parameters.Add(new NpgsqlParameter("access_expires_at", NpgsqlTypes.NpgsqlDbType.TimestampTz)
                { Value = AccessExpiresAt is { } expires ? Sql.Utc(expires) : DBNull.Value });
            parameters.AddValue("has_refresh_token", HasRefreshToken);
            parameters.AddValue("now", Sql.Utc(Now));
        }
    }
}
