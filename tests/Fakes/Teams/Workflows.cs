using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.Teams;

/// <summary>
/// A Workflows trigger "When a Teams webhook request is received" as Microsoft documents it
/// (learn.microsoft.com/power-automate/teams/teams-webhook-trigger;
/// learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using): a POST of
/// <c>{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,"content":{…}}]}</c>
/// to the trigger URL, authenticated by the shared-access signature in its query (<c>sig</c>), answered
/// 202 Accepted. Both URL shapes: Power Platform's <c>/powerautomate/automations/direct/workflows/{id}/…</c>
/// and Logic Apps' <c>/workflows/{id}/…</c>. Errors as the trigger answers them: 401 without or with a
/// wrong signature, 404 for an unknown workflow, 400 for a body that does not match the trigger's schema.
/// </summary>
public static class Workflows
{
    public static void MapWorkflows(this WebApplication app)
    {
        app.MapPost("/workflows/{id}/triggers/manual/paths/invoke", Invoke);
        app.MapPost("/powerautomate/automations/direct/workflows/{id}/triggers/manual/paths/invoke", Invoke);
    }

    private static async Task<IResult> Invoke(HttpRequest request, string id, TeamsState state, TimeProvider clock)
    {
        if (state.SignatureOf(id) is not { } signature) return Error(404, "WorkflowNotFound", $"The workflow '{id}' could not be found.");
        if (request.Query["sig"].ToString() is not { Length: > 0 } sig)
            return Error(401, "DirectApiAuthorizationRequired", "The request must be authenticated only by Shared Access scheme.");
        if (sig != signature || request.Query["sv"] != "1.0" || string.IsNullOrEmpty(request.Query["api-version"]))
            return Error(401, "DirectApiInvalidAuthorizationSignature", "The provided authentication token is not valid.");
        JsonElement body;
        try
        {
            body = (await JsonDocument.ParseAsync(request.Body)).RootElement.Clone();
        }
        catch (JsonException)
        {
            return Error(400, "InvalidRequestContent", "The request content is not valid JSON.");
        }
        if (CardProblem(body) is { } problem) return Error(400, "TriggerInputSchemaMismatch", problem);
        state.Record(new ReceivedCard("workflow", id, body, clock.GetUtcNow()));
        return Results.StatusCode(StatusCodes.Status202Accepted);
    }

    /// <summary>What the trigger's schema (a message of Adaptive Card attachments) refuses in the body, or null.</summary>
    public static string? CardProblem(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("type", out var type) || type.GetString() != "message")
            return "The body must be an object with type 'message'.";
        if (!body.TryGetProperty("attachments", out var attachments) || attachments.ValueKind != JsonValueKind.Array || attachments.GetArrayLength() == 0)
            return "attachments must be a non-empty array.";
        foreach (var attachment in attachments.EnumerateArray())
        {
            if (attachment.ValueKind != JsonValueKind.Object || !attachment.TryGetProperty("contentType", out var contentType)
                || contentType.GetString() != "application/vnd.microsoft.card.adaptive")
                return "Each attachment's contentType must be application/vnd.microsoft.card.adaptive.";
            if (!attachment.TryGetProperty("content", out var card) || card.ValueKind != JsonValueKind.Object
                || !card.TryGetProperty("type", out var cardType) || cardType.GetString() != "AdaptiveCard"
                || !card.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.String
                || !card.TryGetProperty("body", out var cardBody) || cardBody.ValueKind != JsonValueKind.Array)
                return "Each attachment's content must be an AdaptiveCard with a version and a body.";
        }
        return null;
    }

    private static IResult Error(int status, string code, string message) => Results.Json(new { error = new { code, message } }, statusCode: status);
}
