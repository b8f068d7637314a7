using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Common.Behaviours;

/// <summary>
/// Replays the stored result of an idempotent command whose key was seen with the same request, and
/// refuses the key with a different request. Runs inside the command's transaction, so the record
/// commits together with the command's effects, or not at all.
/// </summary>
public sealed class IdempotencyBehaviour<TRequest, TResponse>(IIdempotencyStore store, IClock clock, IdempotencyOutcome outcome)
    : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is not IIdempotentCommand { IdempotencyKey: { Length: > 0 } key } idempotent) return await next();

        var requestHash = IdempotencyRecords.RequestHash(request!);
        var existing = await store.FindAsync(idempotent.IdempotencyScope, key, cancellationToken);
        if (existing is not null)
        {
            var replayed = IdempotencyRecords.Replay<TResponse>(existing, requestHash);
            outcome.Replayed = true;
            return replayed;
        }

        var response = await next();
        await store.SaveAsync(IdempotencyRecords.For(idempotent.IdempotencyScope, key, requestHash, response, clock.UtcNow), cancellationToken);
        return response;
    }
}

/// <summary>
/// The Idempotency-Key rules, for the behaviour and for the event group commit alike: what
/// identifies a request, what a repeat gets back, and what is stored.
/// </summary>
public static class IdempotencyRecords
{
    // The key itself is excluded from the hash ([JsonIgnore] on the command), the rest is the request.
    public static string RequestHash(object request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, request.GetType(), JsonDefaults.Options)));

    /// <summary>The stored result for a repeat of the same request; the same key with another request is refused.</summary>
    public static TResponse Replay<TResponse>(IdempotencyRecord stored, string requestHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored.RequestHash), Encoding.ASCII.GetBytes(requestHash))
            ? JsonSerializer.Deserialize<TResponse>(stored.ResponseJson, JsonDefaults.Options)!
            : throw new IdempotencyKeyReusedException();

    public static IdempotencyRecord For<TResponse>(string scope, string key, string requestHash, TResponse response, DateTimeOffset at) =>
        new(scope, key, requestHash, JsonSerializer.Serialize(response, JsonDefaults.Options), at);
}
