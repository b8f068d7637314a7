using System.Diagnostics;
using Integrations.Application.Common.Interfaces;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Integrations.Application.Common.Behaviours;

/// <summary>Logs every request with its correlation id and duration. Request bodies are not logged: they may hold secrets.</summary>
public sealed class LoggingBehaviour<TRequest, TResponse>(ILogger<LoggingBehaviour<TRequest, TResponse>> logger, IRequestContext context)
    : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var name = typeof(TRequest).Name;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = context.CorrelationId, ["Actor"] = context.Actor });
        var started = Stopwatch.GetTimestamp();
        var response = await next();
        logger.LogInformation("Handled {Request} for {Actor} in {ElapsedMs:F1} ms (correlation {CorrelationId})",
            name, context.Actor, Stopwatch.GetElapsedTime(started).TotalMilliseconds, context.CorrelationId);
        return response;
    }
}
