using System.Text.Json;
using Integrations.Application.Common.Exceptions;
using Integrations.Domain.Common;
using Microsoft.AspNetCore.Diagnostics;

namespace Integrations.Api.Errors;

/// <summary>Maps every exception to the error format; unexpected ones become a 500 without internals.</summary>
public sealed class ExceptionToErrorHandler(ILogger<ExceptionToErrorHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, message, details) = Map(exception);
        if (status >= 500) logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        if (httpContext.Response.HasStarted) return false;
        await ApiErrors.WriteAsync(httpContext, status, code, message, details);
        return true;
    }

    private static (int Status, string Code, string Message, IReadOnlyList<ApiErrorDetail> Details) Map(Exception exception) => exception switch
    {
        ValidationException v => (422, "validation_failed", "The request has invalid fields.",
            v.Errors.Select(e => new ApiErrorDetail(e.Field, e.Code, e.Message)).ToList()),
        InvalidParameterException p => (400, "invalid_parameter", "A query parameter is not valid for this endpoint.",
            p.Errors.Select(e => new ApiErrorDetail(e.Field, e.Code, e.Message) { Location = "query" }).ToList()),
        UnstorableTextException u => (422, "validation_failed", "The request has invalid fields.", [new ApiErrorDetail(null, "invalid_character", u.Message)]),
        NotFoundException n => (404, n.Code, n.Message, []),
        ConflictException c => (409, c.Code, c.Message, []),
        ForbiddenException f => (403, "forbidden", f.Message, []),
        DomainException d => (422, d.Code, d.Message, []),
        BadHttpRequestException { StatusCode: 413 } => (413, "payload_too_large", "The request body is too large.", []),
        BadHttpRequestException { InnerException: JsonException json } => (400, "invalid_json", "The request body is not valid JSON for this endpoint.",
            [new ApiErrorDetail(FieldFromPath(json.Path), "invalid_json", Describe(json))]),
        BadHttpRequestException b when b.Message.StartsWith("Failed to read parameter", StringComparison.Ordinal) =>
            (400, "invalid_json", "The request body is not valid JSON for this endpoint.", []),
        BadHttpRequestException b when b.Message.Contains("Content-Type", StringComparison.OrdinalIgnoreCase) =>
            (415, "unsupported_media_type", "Send the body as application/json.", []),
        BadHttpRequestException b when b.Message.StartsWith("Failed to bind parameter", StringComparison.Ordinal) =>
            (400, "invalid_parameter", "A path or query parameter has the wrong format.", [new ApiErrorDetail(ParameterName(b.Message), "invalid_type", b.Message)]),
        BadHttpRequestException b when b.Message.StartsWith("Required parameter", StringComparison.Ordinal) ||
                                       b.Message.Contains("no body was provided", StringComparison.OrdinalIgnoreCase) =>
            (400, "invalid_json", "A JSON request body is required.", []),
        BadHttpRequestException b => (b.StatusCode, "bad_request", "The request is malformed.", []),
        OperationCanceledException => (499, "client_closed_request", "The request was cancelled.", []),
        _ => (500, "internal_error", "Something went wrong on our side. The request id identifies it in our logs.", []),
    };

    // "$.data.amount" → "data.amount"; "$" (the body itself) → null.
    private static string? FieldFromPath(string? path) =>
        path is null || path == "$" ? null : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    private static string Describe(JsonException json)
    {
        var message = json.Message;
        // System.Text.Json appends internal paths and line numbers that say nothing to a client.
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static string? ParameterName(string message)
    {
        // "Failed to bind parameter \"Guid id\" from \"x\"."
        var start = message.IndexOf('"');
        var end = start >= 0 ? message.IndexOf('"', start + 1) : -1;
        return start >= 0 && end > start ? message[(start + 1)..end].Split(' ').Last() : null;
    }
}
