using System.Text.RegularExpressions;
using Integrations.Api.Authentication;
using Integrations.Application.Common.Behaviours;
using Integrations.Infrastructure;

namespace Integrations.Api.Middleware;

/// <summary>
/// Gives every request an id (the caller's X-Request-Id when it is sane, else a new one), returns it
/// in the response and puts it in every log line and event's metadata as the correlation id.
/// </summary>
public sealed partial class RequestContextMiddleware(RequestDelegate next, ILogger<RequestContextMiddleware> logger)
{
    public const string Header = "X-Request-Id";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public async Task InvokeAsync(HttpContext context, RequestContext requestContext)
    {
        var incoming = context.Request.Headers[Header].ToString();
        var requestId = SafeId().IsMatch(incoming) ? incoming : "req_" + Guid.CreateVersion7().ToString("N");
        requestContext.CorrelationId = requestId;
        context.TraceIdentifier = requestId;
        // Written when the response starts: the exception handler clears headers set before an error response.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[Header] = requestId;
            if (context.RequestServices.GetService<IdempotencyOutcome>() is { Replayed: true }) context.Response.Headers[ReplayedHeader] = "true";
            return Task.CompletedTask;
        });
        using (logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = requestId }))
        {
            await next(context);
        }
    }

    /// <summary>Runs after authentication: the actor is known only then.</summary>
    public static async Task SetActor(HttpContext context, Func<Task> next)
    {
        context.RequestServices.GetRequiredService<RequestContext>().Actor = context.User.Actor();
        await next();
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex SafeId();
}
