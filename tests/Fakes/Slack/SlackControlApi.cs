using Integrations.Fakes.Common.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Integrations.Fakes.Slack;

/// <summary>
/// The Slack fake's part of the control API (<c>/_fake/slack/…</c>): the messages it received, its
/// token counters, settings, channels, queued errors, and an uninstall that revokes a workspace's tokens.
/// </summary>
public static class SlackControlApi
{
    public sealed record SettingsBody(bool? TokenRotation, TimeSpan? ChannelInterval);

    public sealed record ErrorBody(string Method, string Error, int? Count);

    public sealed record ChannelBody(string Id, string Name, string TeamId, bool? IsPrivate, bool? IsArchived, bool? IsMember);

    public static void MapSlackControlApi(this WebApplication app)
    {
        var control = app.MapGroup(ControlApi.Prefix + "/slack");
        control.MapGet("/messages", (SlackWorkspace workspace, string? channel) => Results.Ok(new { data = workspace.MessagesOf(channel) }));
        control.MapGet("/tokens", (SlackWorkspace workspace) => Results.Ok(new { refreshes = workspace.Refreshes, refused_refreshes = workspace.RefusedRefreshes, revocations = workspace.Revocations }));
        control.MapPost("/settings", async (HttpRequest request, SlackWorkspace workspace) =>
        {
            var (body, error) = await ControlApi.ReadAsync<SettingsBody>(request);
            if (body is null) return ControlApi.Invalid(error!);
            workspace.Configure(body.TokenRotation, body.ChannelInterval);
            return Results.NoContent();
        });
        control.MapPost("/errors", async (HttpRequest request, SlackWorkspace workspace) =>
        {
            var (body, error) = await ControlApi.ReadAsync<ErrorBody>(request);
            if (body is null) return ControlApi.Invalid(error!);
            if (string.IsNullOrEmpty(body.Method) || string.IsNullOrEmpty(body.Error) || body.Count is < 1 or > 1000)
                return ControlApi.Invalid("method and error are required; count is 1 to 1000");
            workspace.QueueError(body.Method, body.Error, body.Count ?? 1);
            return Results.NoContent();
        });
        control.MapPost("/channels", async (HttpRequest request, SlackWorkspace workspace) =>
        {
            var (body, error) = await ControlApi.ReadAsync<ChannelBody>(request);
            if (body is null) return ControlApi.Invalid(error!);
            if (workspace.Teams.All(t => t.Id != body.TeamId)) return ControlApi.Invalid("unknown team_id");
            workspace.SetChannel(new SlackChannel(body.Id, body.Name, body.TeamId, body.IsPrivate ?? false, body.IsArchived ?? false, body.IsMember ?? true));
            return Results.NoContent();
        });
        control.MapPost("/teams/{teamId}/uninstall", (SlackWorkspace workspace, string teamId) =>
            workspace.Teams.Any(t => t.Id == teamId) ? Results.Ok(new { revoked = workspace.RevokeTeam(teamId) }) : ControlApi.Invalid("unknown team"));
    }
}
