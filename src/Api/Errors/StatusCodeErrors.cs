namespace Integrations.Api.Errors;

/// <summary>Bodies for responses the framework produces without one (405, 415, …), in the error format.</summary>
public static class StatusCodeErrors
{
    public static Task WriteAsync(HttpContext context)
    {
        var status = context.Response.StatusCode;
        var (code, message) = status switch
        {
            400 => ("bad_request", "The request is malformed."),
            401 => ("unauthenticated", "Send Authorization: Bearer <API key>."),
            403 => ("forbidden", "This credential may not perform this operation."),
            404 => ("not_found", $"No route matches {context.Request.Method} {context.Request.Path}."),
            405 => ("method_not_allowed", $"{context.Request.Method} is not allowed on {context.Request.Path}."),
            413 => ("payload_too_large", "The request body is too large."),
            415 => ("unsupported_media_type", "Send the body as application/json."),
            _ => ($"http_{status}", "The request could not be processed."),
        };
        return ApiErrors.WriteAsync(context, status, code, message);
    }
}
