using Integrations.Api.Errors;

namespace Integrations.Api.Middleware;

/// <summary>
/// Reads a JSON request body once, before any endpoint binds it, and refuses what
/// <see cref="JsonBodyRules"/> forbids with 400 invalid_json. Runs after authorization, so an
/// anonymous caller's body is never read. The endpoint then reads the same bytes from memory.
/// </summary>
public sealed class JsonBodyGuardMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        // Inbound webhooks are verified over their raw bytes and kept as sent, whatever JSON they hold (docs/inbound.md).
        if (request.ContentLength == 0 || !HttpMethods.IsPost(request.Method) && !HttpMethods.IsPatch(request.Method) && !HttpMethods.IsPut(request.Method)
            || !request.HasJsonContentType() || request.Path.StartsWithSegments("/inbound"))
        {
            await next(context);
            return;
        }

        // Reading honours the endpoint's body limit: beyond it Kestrel throws 413, which the error handler words.
        using var body = new MemoryStream(request.ContentLength is > 0 and <= int.MaxValue ? (int)request.ContentLength : 4096);
        await request.Body.CopyToAsync(body, context.RequestAborted);
        if (JsonBodyRules.Check(body.GetBuffer().AsSpan(0, (int)body.Length)) is { } violation)
        {
            await ApiErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_json", "The request body is not valid JSON for this endpoint.",
                [new ApiErrorDetail(violation.Field, violation.Code, violation.Message)]);
            return;
        }
        body.Position = 0;
        request.Body = body;
        await next(context);
    }
}
