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
        // The exception handler middleware has cleared the request's endpoint; its feature keeps the original.
        var endpoint = httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? httpContext.GetEndpoint();
        var requestType = endpoint?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType;
        var (status, code, message, details) = Map(exception, requestType);
        if (status == 503) logger.LogWarning("{Method} {Path} answered 503: the database is unavailable ({Reason})", httpContext.Request.Method, httpContext.Request.Path, exception.Message);
        else if (status >= 500) logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        if (httpContext.Response.HasStarted) return false;
        if (status == 503) httpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
        await ApiErrors.WriteAsync(httpContext, status, code, message, details);
        return true;
    }

    /// <summary>How long a client should wait before retrying when the database is unavailable: PostgreSQL restarts in seconds.</summary>
    private const string RetryAfterSeconds = "5";

    private static (int Status, string Code, string Message, IReadOnlyList<ApiErrorDetail> Details) Map(Exception exception, Type? requestType) => exception switch
    {
        ValidationException v => (422, "validation_failed", "The request has invalid fields.",
            v.Errors.Select(e => new ApiErrorDetail(e.Field, e.Code, e.Message)).ToList()),
        InvalidParameterException p => (400, "invalid_parameter", "A query parameter is not valid for this endpoint.",
            p.Errors.Select(e => new ApiErrorDetail(e.Field, e.Code, e.Message) { Location = "query" }).ToList()),
        UnstorableTextException u => (422, "validation_failed", "The request has invalid fields.", [new ApiErrorDetail(null, "invalid_character", u.Message)]),
        NotFoundException n => (404, n.Code, n.Message, []),
        ConflictException c => (409, c.Code, c.Message, []),
        ForbiddenException f => (403, "forbidden", f.Message, []),
        // A provider call made for the request (e.g. listing Slack channels): what the provider said, never its answer or a credential.
        Integrations.Application.Connections.ProviderCallException p => (502, "provider_error", p.Message, [new ApiErrorDetail(null, p.Error, p.Message)]),
        Integrations.Application.Connections.ConnectionUnusableException u => (409, "connection_unusable", u.Message, [new ApiErrorDetail(null, u.Status, u.Message)]),
        Integrations.Application.Email.MailSendException m => (502, "mail_server_error", m.Message, []),
        DomainException d => (422, d.Code, d.Message, []),
        BadHttpRequestException { StatusCode: 413 } => (413, "payload_too_large", "The request body is too large.", []),
        BadHttpRequestException { InnerException: JsonException json } => (400, "invalid_json", "The request body is not valid JSON for this endpoint.",
            [new ApiErrorDetail(JsonErrorWording.Field(json.Path), "invalid_json", JsonErrorWording.Describe(json, requestType))]),
        BadHttpRequestException b when b.Message.StartsWith("Failed to read parameter", StringComparison.Ordinal) =>
            (400, "invalid_json", "The request body is not valid JSON for this endpoint.", []),
        BadHttpRequestException b when b.StatusCode == 415 || b.Message.Contains("Content-Type", StringComparison.OrdinalIgnoreCase) =>
            (415, "unsupported_media_type", "Send the body as application/json.", []),
        BadHttpRequestException b when b.Message.StartsWith("Failed to bind parameter", StringComparison.Ordinal) =>
            (400, "invalid_parameter", "A path or query parameter has the wrong format.", [JsonErrorWording.BindingDetail(b.Message)]),
        BadHttpRequestException b when b.Message.StartsWith("Required parameter", StringComparison.Ordinal) ||
                                       b.Message.Contains("no body was provided", StringComparison.OrdinalIgnoreCase) =>
            (400, "invalid_json", "A JSON request body is required.", []),
        BadHttpRequestException b => (b.StatusCode, "bad_request", "The request is malformed.", []),
        OperationCanceledException => (499, "client_closed_request", "The request was cancelled.", []),
        // PostgreSQL restarting or unreachable: nothing was written, and a retry in a moment succeeds.
        _ when DatabaseFailures.IsTransient(exception) =>
            (503, "service_unavailable", "The database is unavailable for a moment; nothing was changed. Retry after the Retry-After delay.", []),
        _ => (500, "internal_error", "Something went wrong on our side. The request id identifies it in our logs.", []),
    };
}
