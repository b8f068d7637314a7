using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Common.Behaviours;

/// <summary>
/// Runs each command in one transaction. A lost race (another writer appended to the same stream, or
/// committed the same idempotency key) is retried from the start: commands re-read and re-decide, so
/// a retry is safe; a conflict against a version the caller pinned is not retried.
/// </summary>
public sealed class TransactionBehaviour<TRequest, TResponse>(IUnitOfWork unitOfWork, ILogger<TransactionBehaviour<TRequest, TResponse>> logger)
    : IPipelineBehavior<TRequest, TResponse>
{
    /// <summary>
    /// Each round of a race on one stream has exactly one winner, so this many attempts absorb that
    /// many concurrent writers to the same aggregate before a 409 reaches the client.
    /// </summary>
    private const int MaxAttempts = 10;

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is not ICommand<TResponse>) return await next();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await unitOfWork.ExecuteAsync(_ => next(), cancellationToken);
            }
            catch (Exception ex) when (attempt < MaxAttempts && ex is IdempotencyRaceException or ConcurrencyConflictException { Retryable: true })
            {
                logger.LogDebug("{Request} lost a race ({Reason}); attempt {Attempt} of {Max}", typeof(TRequest).Name, ex.Message, attempt + 1, MaxAttempts);
                // Growing, jittered pauses spread the losers out instead of colliding again.
                await Task.Delay(Random.Shared.Next(5 * attempt, 25 * attempt), cancellationToken);
            }
        }
    }
}
