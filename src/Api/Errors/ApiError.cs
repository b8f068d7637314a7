using System.Text.Json.Serialization;

namespace Integrations.Api.Errors;

/// <summary>The one error format of the API: {"error": {"code", "message", "details"}}.</summary>
public sealed record ApiErrorBody(ApiError Error);

public sealed record ApiError(string Code, string Message, IReadOnlyList<ApiErrorDetail> Details);

public sealed record ApiErrorDetail(
    string? Field,
    string Code,
    string Message)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Location { get; init; }
}

public static class ApiErrors
{
    public static Task WriteAsync(HttpContext context, int status, string code, string message, IReadOnlyList<ApiErrorDetail>? details = null)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ApiErrorBody(new ApiError(code, message, details ?? [])), ApiJson.Options, context.RequestAborted);
    }
}
