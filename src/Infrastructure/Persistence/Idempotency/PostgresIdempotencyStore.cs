using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;

namespace Integrations.Infrastructure.Persistence.Idempotency;

/// <summary>
/// Idempotency records in the command's own transaction (ADR 0002): a record commits with the
/// effects it describes, or not at all. Records expire after <see cref="Retention"/>, measured by
/// the database clock so every host agrees. Stored responses are encrypted: some carry a secret
/// shown once (a webhook endpoint's signing secret), which must not rest in a table in plaintext.
/// </summary>
public sealed class PostgresIdempotencyStore(DbSession session, ISecretProtector protector) : IIdempotencyStore
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>Expired rows removed per save: enough to keep up with the insert rate, small enough to stay cheap.</summary>
    private const int SweepLimit = 100;

    public Task<IdempotencyRecord?> FindAsync(string scope, string key, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                select scope, key, request_hash, response_json, created_at from idempotency_keys
                where scope = @scope and key = @key and expires_at > now()
                """, ("scope", scope), ("key", key));
            await using var reader = await command.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct)
                ? new IdempotencyRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), protector.Unprotect(reader.GetString(3)), reader.GetFieldValue<DateTimeOffset>(4))
                : null;
        }, ct);

    public Task SaveAsync(IdempotencyRecord record, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            // An expired record of the same key would otherwise block the key forever.
            await Sql.ExecuteAsync(connection, transaction,
                "delete from idempotency_keys where scope = @scope and key = @key and expires_at <= now()",
                ct, ("scope", record.Scope), ("key", record.Key));
            // Skip rows another save is already deleting: no waits, no deadlocks between sweeps.
            await Sql.ExecuteAsync(connection, transaction, """
                delete from idempotency_keys where (scope, key) in (
                    select scope, key from idempotency_keys where expires_at <= now() limit @limit for update skip locked)
                """, ct, ("limit", SweepLimit));
            // A concurrent save of the same key makes this wait for that transaction; if it commits, no row is inserted.
            var inserted = await Sql.ExecuteAsync(connection, transaction, """
                insert into idempotency_keys (scope, key, request_hash, response_json, created_at, expires_at)
                values (@scope, @key, @request_hash, @response_json, @created_at, now() + @retention)
                on conflict (scope, key) do nothing
                """, ct, ("scope", record.Scope), ("key", record.Key), ("request_hash", record.RequestHash),
                ("response_json", protector.Protect(record.ResponseJson)), ("created_at", Sql.Utc(record.CreatedAt)), ("retention", Retention));
            if (inserted == 0) throw new IdempotencyRaceException();
        }, ct);
}
