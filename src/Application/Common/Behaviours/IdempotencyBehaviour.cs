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

        var requestHash = IdempotencyHash.Of(request!);
        var existing = await store.FindAsync(idempotent.IdempotencyScope, key, cancellationToken);
        if (existing is not null)
        {
            if (!IdempotencyHash.Matches(existing, requestHash)) throw new IdempotencyKeyReusedException();
            outcome.Replayed = true;
            return JsonSerializer.Deserialize<TResponse>(existing.ResponseJson, JsonDefaults.Options)!;
        }

        var response = await next();
        await store.SaveAsync(new IdempotencyRecord(idempotent.IdempotencyScope, key, requestHash,
            JsonSerializer.Serialize(response, JsonDefaults.Options), clock.UtcNow), cancellationToken);
        return response;
    }
}

/// <summary>What identifies a request for its Idempotency-Key: a repeat must hash the same.</summary>
public static class IdempotencyHash
{
    // The key itself is excluded from the hash ([JsonIgnore] on the command), the rest is the request.
    public static string Of(object request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, request.GetType(), JsonDefaults.Options)));

    public static bool Matches(IdempotencyRecord stored, string requestHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored.RequestHash), Encoding.ASCII.GetBytes(requestHash));
}
