using System.Text.Json;
using Integrations.Fakes.Common.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.Teams;

/// <summary>
/// The Bot Connector as a bot sees it (learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference):
/// <c>POST /v3/conversations/{conversationId}/activities</c> with a token from the Entra token endpoint
/// (the OAuth core), and its reply-to-activity form <c>…/activities/{activityId}</c>, answered 201 with the new activity's id; an unknown conversation is 404
/// <c>{"error":{"code":"ConversationNotFound"}}</c>. And the OpenID metadata a bot reads the signing
/// keys from (<c>/v1/.well-known/openidconfiguration</c> → <c>jwks_uri</c>).
/// </summary>
public static class BotConnector
{
    public static void MapBotConnector(this WebApplication app)
    {
        app.MapPost("/v3/conversations/{conversationId}/activities", Post).RequireFakeAuthentication();
        // Reply to activity: the same, in reply to activityId (kept as the activity's replyToId).
        app.MapPost("/v3/conversations/{conversationId}/activities/{activityId}", Post).RequireFakeAuthentication();
        // The same below a region's service URL (https://smba.trafficmanager.net/emea/ …): Teams names it in each activity's serviceUrl.
        app.MapPost("/{region}/v3/conversations/{conversationId}/activities", Post).RequireFakeAuthentication();
        app.MapPost("/{region}/v3/conversations/{conversationId}/activities/{activityId}", Post).RequireFakeAuthentication();

        app.MapGet("/v1/.well-known/openidconfiguration", (HttpRequest request) =>
        {
            var origin = $"{request.Scheme}://{request.Host}";
            return Results.Json(new
            {
                issuer = ActivityTokens.Issuer,
                authorization_endpoint = origin + "/v1/.well-known/authorize",
                jwks_uri = origin + "/v1/.well-known/keys",
                id_token_signing_alg_values_supported = new[] { "RS256" },
                token_endpoint_auth_methods_supported = new[] { "private_key_jwt" },
            });
        });
        app.MapGet("/v1/.well-known/keys", (ActivityTokens tokens) => Results.Json(tokens.Jwks()));
    }

    private static async Task<IResult> Post(HttpRequest request, string conversationId, string? activityId, string? region, TeamsState state, TimeProvider clock)
    {
        JsonElement activity;
        try
        {
            activity = (await JsonDocument.ParseAsync(request.Body)).RootElement.Clone();
        }
        catch (JsonException)
        {
            return Error(400, "BadArgument", "The activity is not valid JSON.");
        }
        if (!state.HasConversation(conversationId)) return Error(404, "ConversationNotFound", "Conversation not found.");
        if (activity.ValueKind != JsonValueKind.Object || !activity.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            return Error(400, "BadArgument", "Activity type is required.");
        if (activity.TryGetProperty("attachments", out var attachments)
            && attachments.EnumerateArray().Any(a => a.GetProperty("contentType").GetString() == "application/vnd.microsoft.card.adaptive" && Workflows.CardProblem(
                JsonDocument.Parse($$"""{"type":"message","attachments":[{{a.GetRawText()}}]}""").RootElement) is not null))
            return Error(400, "BadArgument", "The Adaptive Card attachment is not valid.");
        state.Record(new ReceivedCard(activityId is null ? "conversation" : "reply", conversationId, activity, clock.GetUtcNow()) { Region = region });
        return Results.Json(new { id = "1:" + Guid.NewGuid().ToString("N") }, statusCode: StatusCodes.Status201Created);
    }

    private static IResult Error(int status, string code, string message) => Results.Json(new { error = new { code, message } }, statusCode: status);
}
