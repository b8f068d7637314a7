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

    public async Task<IdempotencyRecord?> FindAsync(string scope, string key, CancellationToken ct) =>
        (await FindManyAsync([(scope, key)], ct)).SingleOrDefault();

    public Task<IReadOnlyList<IdempotencyRecord>> FindManyAsync(IReadOnlyCollection<(string Scope, string Key)> keys, CancellationToken ct) =>
        session.RunAsync<IReadOnlyList<IdempotencyRecord>>(async (connection, transaction) =>
        {
            if (keys.Count == 0) return [];
            await using var command = Sql.Command(connection, transaction, """
                select i.scope, i.key, i.request_hash, i.response_json, i.created_at
                from unnest(@scopes::text[], @keys::text[]) as k(scope, key)
                join idempotency_keys i on i.scope = k.scope and i.key = k.key
                where i.expires_at > now()
                """, ("scopes", keys.Select(k => k.Scope).ToArray()), ("keys", keys.Select(k => k.Key).ToArray()));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var records = new List<IdempotencyRecord>();
            while (await reader.ReadAsync(ct))
                records.Add(new IdempotencyRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), protector.Unprotect(reader.GetString(3)),
                    reader.GetFieldValue<DateTimeOffset>(4)));
            return records;
        }, ct);

    public Task SaveAsync(IdempotencyRecord record, CancellationToken ct) => SaveManyAsync([record], ct);

    public Task SaveManyAsync(IReadOnlyList<IdempotencyRecord> records, CancellationToken ct) =>
        session.RunAsync(async (connection, transaction) =>
        {
            if (records.Count == 0) return;
            var scopes = records.Select(r => r.Scope).ToArray();
            var keys = records.Select(r => r.Key).ToArray();
            // An expired record of the same key would otherwise block the key forever.
            await Sql.ExecuteAsync(connection, transaction, """
                delete from idempotency_keys i using unnest(@scopes::text[], @keys::text[]) as k(scope, key)
                where i.scope = k.scope and i.key = k.key and i.expires_at <= now()
                """, ct, ("scopes", scopes), ("keys", keys));
            // Skip rows another save is already deleting: no waits, no deadlocks between sweeps.
            await Sql.ExecuteAsync(connection, transaction, """
                delete from idempotency_keys where (scope, key) in (
                    select scope, key from idempotency_keys where expires_at <= now() limit @limit for update skip locked)
                """, ct, ("limit", SweepLimit));
            // A concurrent save of the same key makes this wait for that transaction; if it commits, no row is inserted for it.
            await using var insert = Sql.Command(connection, transaction, """
                insert into idempotency_keys (scope, key, request_hash, response_json, created_at, expires_at)
                select k.scope, k.key, k.request_hash, k.response_json, k.created_at, now() + @retention
                from unnest(@scopes::text[], @keys::text[], @request_hashes::text[], @responses::text[], @created_at::timestamptz[])
                     as k(scope, key, request_hash, response_json, created_at)
                on conflict (scope, key) do nothing
                """, ("scopes", scopes), ("keys", keys), ("request_hashes", records.Select(r => r.RequestHash).ToArray()),
                ("responses", records.Select(r => protector.Protect(r.ResponseJson)).ToArray()), ("retention", Retention));
            insert.Parameters.Add(SqlArrays.Timestamps("created_at", records.Select(r => (DateTimeOffset?)r.CreatedAt)));
            if (await insert.ExecuteNonQueryAsync(ct) < records.Count) throw new IdempotencyRaceException();
        }, ct);
}
