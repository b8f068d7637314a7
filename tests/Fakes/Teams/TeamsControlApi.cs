using Integrations.Fakes.Common.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.Teams;

/// <summary>The Teams fake's control calls (<c>/_fake/teams/…</c>): what was posted, workflows and conversations, and activity tokens.</summary>
public static class TeamsControlApi
{
    public sealed record WorkflowBody(string Id, string Signature);

    public sealed record ConversationBody(string Id);

    public sealed record TokenBody(string Audience, string ServiceUrl, string? Issuer, int? ExpiresInSeconds, int? NotBeforeInSeconds, TokenFlaw? Flaw);

    public static void MapTeamsControlApi(this WebApplication app)
    {
        var control = app.MapGroup(ControlApi.Prefix + "/teams");
        control.MapGet("/received", (TeamsState state, string? target) => Results.Ok(new { data = state.Received(target) }));
        control.MapPost("/workflows", async (HttpRequest request, TeamsState state) =>
        {
            var (body, error) = await ControlApi.ReadAsync<WorkflowBody>(request);
            if (body is null) return ControlApi.Invalid(error!);
            if (string.IsNullOrEmpty(body.Id) || string.IsNullOrEmpty(body.Signature)) return ControlApi.Invalid("id and signature are required");
            state.AddWorkflow(body.Id, body.Signature);
            return Results.NoContent();
        });
        control.MapPost("/conversations", async (HttpRequest request, TeamsState state) =>
        {
            var (body, error) = await ControlApi.ReadAsync<ConversationBody>(request);
            if (body is null) return ControlApi.Invalid(error!);
            if (string.IsNullOrEmpty(body.Id)) return ControlApi.Invalid("id is required");
            state.AddConversation(body.Id);
            return Results.NoContent();
        });
        // The JWT the Bot Connector would send with an activity: by default valid for 1 hour; flaw, issuer and times for attack tests.
        control.MapPost("/activity-token", async (HttpRequest request, ActivityTokens tokens, TimeProvider clock) =>
        {
            var (body, error) = await ControlApi.ReadAsync<TokenBody>(request);
            if (body is null) return ControlApi.Invalid(error!);
            if (string.IsNullOrEmpty(body.Audience) || string.IsNullOrEmpty(body.ServiceUrl)) return ControlApi.Invalid("audience and service_url are required");
            return Results.Ok(new
            {
                token = tokens.Mint(body.Audience, body.ServiceUrl, body.Issuer, clock.GetUtcNow(), body.ExpiresInSeconds ?? 3600, body.NotBeforeInSeconds ?? -60,
                    body.Flaw ?? TokenFlaw.None),
            });
        });
    }
}
