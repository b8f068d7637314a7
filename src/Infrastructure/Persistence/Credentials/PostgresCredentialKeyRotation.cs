using System.Security.Cryptography;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections.Credentials;
using Integrations.Infrastructure.Security;
using Microsoft.Extensions.Logging;

namespace Integrations.Infrastructure.Persistence.Credentials;

/// <summary>
/// Re-wraps data keys in connection_credentials onto the current KEK (ADR 0014). A batch reads its
/// rows, re-wraps their data keys with no database work in flight (the provider may be remote), then
/// writes them back in one statement that only touches rows unchanged since the read: same version,
/// same KEK, same wrapped key. Versions are left alone, so no writer ever loses a race to a rotation.
/// </summary>
public sealed class PostgresCredentialKeyRotation(DbSession session, CredentialEnvelope envelope, IKeyEncryptionKeyProvider keys,
    ILogger<PostgresCredentialKeyRotation> logger) : ICredentialKeyRotation
{
    private sealed record Row(Guid ConnectionId, Guid TenantId, int Version, string KeyId, byte[] WrappedKey);

    public async Task<RewrapBatch> RewrapBatchAsync(Guid? after, int limit, CancellationToken ct)
    {
        var currentKeyId = await keys.GetCurrentKeyIdAsync(ct);
        var rows = await SelectAsync(currentKeyId, after ?? Guid.Empty, limit, ct);

        var rewrapped = new List<(Row Row, WrappedDataKey New)>(rows.Count);
        var unreadable = 0;
        foreach (var row in rows)
        {
            try
            {
                rewrapped.Add((row, await envelope.RewrapAsync(row.KeyId, row.WrappedKey, ct)));
            }
            catch (CryptographicException ex)
            {
                unreadable++;
                logger.LogWarning("The data key of connection {ConnectionId} (tenant {TenantId}) is wrapped under key {KeyId}, which the key provider cannot open; " +
                                  "it stays as it is ({Reason})", row.ConnectionId, row.TenantId, row.KeyId, ex.Message);
            }
        }
        var written = await WriteBackAsync(rewrapped, ct);
        return new RewrapBatch(rows.Count, written, rewrapped.Count - written, unreadable, rows.Count > 0 ? rows[^1].ConnectionId : after);
    }

    public Task<IReadOnlyList<CredentialKeyUsage>> CountByKeyAsync(CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<CredentialKeyUsage>>(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction,
                "select kek_id, count(*) from connection_credentials group by kek_id order by kek_id");
            await using var reader = await command.ExecuteReaderAsync(ct);
            var usage = new List<CredentialKeyUsage>();
            while (await reader.ReadAsync(ct)) usage.Add(new CredentialKeyUsage(reader.GetString(0), reader.GetInt64(1)));
            return usage;
        }, ct);

    private Task<List<Row>> SelectAsync(string currentKeyId, Guid after, int limit, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                select connection_id, tenant_id, version, kek_id, wrapped_dek from connection_credentials
                where connection_id > @after and kek_id <> @current_kek_id
                order by connection_id
                limit @limit
                """, ("after", after), ("current_kek_id", currentKeyId), ("limit", limit));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rows = new List<Row>();
            while (await reader.ReadAsync(ct))
                rows.Add(new Row(reader.GetGuid(0), reader.GetGuid(1), reader.GetInt32(2), reader.GetString(3), reader.GetFieldValue<byte[]>(4)));
            return rows;
        }, ct);

    private Task<int> WriteBackAsync(List<(Row Row, WrappedDataKey New)> rewrapped, CancellationToken ct) =>
        rewrapped.Count == 0
            ? Task.FromResult(0)
            : session.RunAsync(async (connection, transaction) => await Sql.ExecuteAsync(connection, transaction, """
                update connection_credentials c set kek_id = u.new_kek_id, wrapped_dek = u.new_wrapped_dek
                from unnest(@connection_ids::uuid[], @versions::int[], @old_kek_ids::text[], @old_wrapped_deks::bytea[],
                            @new_kek_ids::text[], @new_wrapped_deks::bytea[])
                     as u(connection_id, version, old_kek_id, old_wrapped_dek, new_kek_id, new_wrapped_dek)
                where c.connection_id = u.connection_id and c.version = u.version and c.kek_id = u.old_kek_id and c.wrapped_dek = u.old_wrapped_dek
                """, ct,
                ("connection_ids", rewrapped.Select(r => r.Row.ConnectionId).ToArray()),
                ("versions", rewrapped.Select(r => r.Row.Version).ToArray()),
                ("old_kek_ids", rewrapped.Select(r => r.Row.KeyId).ToArray()),
                ("old_wrapped_deks", rewrapped.Select(r => r.Row.WrappedKey).ToArray()),
                ("new_kek_ids", rewrapped.Select(r => r.New.KeyId).ToArray()),
                ("new_wrapped_deks", rewrapped.Select(r => r.New.WrappedKey).ToArray())), ct);
}
