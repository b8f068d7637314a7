using System.Diagnostics;
using System.Text.RegularExpressions;
using Integrations.Api.Authentication;
using Integrations.Api.Errors;
using Integrations.Application.Common.Behaviours;
using Integrations.Infrastructure;

namespace Integrations.Api.Middleware;

/// <summary>
/// Gives every request an id (the caller's X-Request-Id when it is sane, else a new one), returns it
/// in the response and puts it in every log line and event's metadata as the correlation id. Logs
/// each request once, by its route's template rather than its path and query, which carry values a
/// log must not keep (an OAuth code in a connect callback's query); ASP.NET Core's own request log,
/// which writes them, is off (appsettings.json).
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
            var started = Stopwatch.GetTimestamp();
            try
            {
                if (await RefusedAsync(context)) return;
                await next(context);
            }
            finally
            {
                LogRequest(logger, context.Request.Method, RouteOf(context), context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTP {Method} {Route} answered {StatusCode} in {ElapsedMs:0.0} ms")]
    private static partial void LogRequest(ILogger logger, string method, string route, int statusCode, double elapsedMs);

    private static string RouteOf(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } template } ? template : "(no route)";

    /// <summary>The longest request target (path and query) served; Kestrel's own limit is higher so that this one answers in the error format.</summary>
    public const int MaxRequestTargetLength = 8 * 1024;

    /// <summary>Headers whose value the API interprets: they must be printable ASCII (Kestrel decodes header values as Latin-1, so a non-ASCII byte reaches this check).</summary>
    private static readonly string[] InterpretedHeaders = ["Authorization", "Idempotency-Key", "If-Match"];

    // Requests Kestrel would otherwise refuse before any of our code runs, without a body.
    private static async Task<bool> RefusedAsync(HttpContext context)
    {
        var target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? "";
        if (target.Length > MaxRequestTargetLength)
        {
            await ApiErrors.WriteAsync(context, StatusCodes.Status414RequestUriTooLong, "uri_too_long",
                $"The path and query may be at most {MaxRequestTargetLength} characters long.");
            return true;
        }
        foreach (var name in InterpretedHeaders)
        {
            foreach (var value in context.Request.Headers[name])
            {
                if (value is not null && !IsPrintableAscii(value))
                {
                    await ApiErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_header",
                        "A header holds characters other than printable ASCII.", [new ApiErrorDetail(name, "invalid_header", $"{name} must be printable ASCII.") { Location = "header" }]);
                    return true;
                }
            }
        }
        return false;
    }

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
            if (c is < ' ' or > '~' && c != '\t') return false;
        return true;
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
