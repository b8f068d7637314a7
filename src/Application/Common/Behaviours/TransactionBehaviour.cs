using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Common.Behaviours;

/// <summary>Runs each command in one transaction, retried when it lost a race (<see cref="UnitOfWorkRetry"/>).</summary>
public sealed class TransactionBehaviour<TRequest, TResponse>(IUnitOfWork unitOfWork, ILogger<TransactionBehaviour<TRequest, TResponse>> logger)
    : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is not ICommand<TResponse>) return await next();
        return await UnitOfWorkRetry.ExecuteAsync(unitOfWork, _ => next(), typeof(TRequest).Name, logger, cancellationToken);
    }
}

/// <summary>
/// One transaction, retried from the start when it lost a race (another writer appended to the same
/// stream, committed the same idempotency key, or a row a unique index allows once): the work
/// re-reads and re-decides, so a retry is safe, and the loser then meets the winner's row the way a
/// late request does (a 409, say); a conflict against a version the caller pinned is not retried.
/// </summary>
public static class UnitOfWorkRetry
{
    /// <summary>
    /// Each round of a race on one stream has exactly one winner, so this many attempts absorb that
    /// many concurrent writers to the same aggregate before a 409 reaches the client.
    /// </summary>
    private const int MaxAttempts = 10;

    public static async Task<T> ExecuteAsync<T>(IUnitOfWork unitOfWork, Func<CancellationToken, Task<T>> work, string name, ILogger logger, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await unitOfWork.ExecuteAsync(work, ct);
            }
            catch (Exception ex) when (attempt < MaxAttempts
                                       && (ex is IdempotencyRaceException or ConcurrencyConflictException { Retryable: true } || DatabaseFailures.IsUniqueViolation(ex)))
            {
                logger.LogDebug("{Work} lost a race ({Reason}); attempt {Attempt} of {Max}", name, ex.Message, attempt + 1, MaxAttempts);
                // Growing, jittered pauses spread the losers out instead of colliding again.
                await Task.Delay(Random.Shared.Next(5 * attempt, 25 * attempt), ct);
            }
        }
    }
}
