using Integrations.Application.Common.Exceptions;
using Integrations.Domain.Common;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Common.Behaviours;

/// <summary>
/// Logs failures once, at the right level: expected outcomes (validation, not found, conflicts,
/// business rules) as information, anything else as an error with its stack. The host maps both to
/// the error format; clients never see a stack trace.
/// </summary>
public sealed class UnhandledExceptionBehaviour<TRequest, TResponse>(ILogger<UnhandledExceptionBehaviour<TRequest, TResponse>> logger)
    : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        try
        {
            return await next();
        }
        catch (Exception ex) when (IsExpected(ex))
        {
            logger.LogInformation("{Request} refused: {Reason}", typeof(TRequest).Name, ex.Message);
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (DatabaseFailures.IsTransient(ex))
        {
            // The database restarting or unreachable: an operational condition the host answers with 503, not a defect.
            logger.LogWarning("{Request} failed: the database is unavailable ({Reason})", typeof(TRequest).Name, ex.Message);
            throw;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "{Request} failed unexpectedly", typeof(TRequest).Name);
            throw;
        }
    }

    private static bool IsExpected(Exception ex) =>
        ex is ValidationException or InvalidParameterException or UnstorableTextException or NotFoundException or ConflictException or ForbiddenException or DomainException;
}
