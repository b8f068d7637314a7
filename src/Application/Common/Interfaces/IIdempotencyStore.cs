namespace Integrations.Application.Common.Interfaces;

public sealed record IdempotencyRecord(string Scope, string Key, string RequestHash, string ResponseJson, DateTimeOffset CreatedAt);

public interface IIdempotencyStore
{
    Task<IdempotencyRecord?> FindAsync(string scope, string key, CancellationToken ct);

    /// <summary>Throws <see cref="Exceptions.IdempotencyRaceException"/> when a concurrent request saved the same key first.</summary>
    Task SaveAsync(IdempotencyRecord record, CancellationToken ct);
}
