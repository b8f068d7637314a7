namespace Integrations.Application.Common.Interfaces;

public sealed record IdempotencyRecord(string Scope, string Key, string RequestHash, string ResponseJson, DateTimeOffset CreatedAt);

public interface IIdempotencyStore
{
    Task<IdempotencyRecord?> FindAsync(string scope, string key, CancellationToken ct);

    /// <summary>The unexpired records of the given (scope, key) pairs that exist.</summary>
    Task<IReadOnlyList<IdempotencyRecord>> FindManyAsync(IReadOnlyCollection<(string Scope, string Key)> keys, CancellationToken ct);

    /// <summary>Throws <see cref="Exceptions.IdempotencyRaceException"/> when a concurrent request saved the same key first.</summary>
    Task SaveAsync(IdempotencyRecord record, CancellationToken ct);

    /// <summary>
    /// <see cref="SaveAsync"/> for many records of distinct keys; throws <see cref="Exceptions.IdempotencyRaceException"/>
    /// when a concurrent request saved any of the keys first.
    /// </summary>
    Task SaveManyAsync(IReadOnlyList<IdempotencyRecord> records, CancellationToken ct);
}
