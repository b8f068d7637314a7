using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Integrations.Fakes.Slack;

/// <summary>
/// Slack's OAuth v2 (docs.slack.dev/authentication/installing-with-oauth): the authorize page (the
/// fake approves at once for the workspace named by <c>team</c>, or the first; <c>deny=true</c>
/// refuses) and <c>oauth.v2.access</c>, which answers every error with HTTP 200 and ok:false.
/// </summary>
public static class SlackOAuth
{
    public static void MapSlackOAuth(this WebApplication app)
    {
        app.MapGet("/oauth/v2/authorize", (HttpRequest request, SlackWorkspace workspace, TimeProvider clock) =>
        {
            var query = request.Query;
            if (query["client_id"] != workspace.ClientId) return Results.Text("Invalid client_id parameter", statusCode: 400);
            if (query["redirect_uri"].ToString() is not { Length: > 0 } redirect || !Uri.TryCreate(redirect, UriKind.Absolute, out _))
                return Results.Text("redirect_uri did not match any configured URIs", statusCode: 400);
            var state = query["state"].ToString();
            if (query["deny"] == "true")
                return Results.Redirect(QueryHelpers.AddQueryString(redirect, new Dictionary<string, string?> { ["error"] = "access_denied", ["state"] = state }));
            var team = workspace.Teams.FirstOrDefault(t => t.Id == query["team"]) ?? workspace.Teams[0];
            var scopes = query["scope"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var code = workspace.IssueCode(team.Id, redirect, scopes, clock.GetUtcNow());
            return Results.Redirect(QueryHelpers.AddQueryString(redirect, new Dictionary<string, string?> { ["code"] = code, ["state"] = state }));
        });

        app.MapPost("/api/oauth.v2.access", async (HttpRequest request, SlackWorkspace workspace, TimeProvider clock) =>
        {
            var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
            string? Arg(string name) => form?[name].ToString() is { Length: > 0 } v ? v : null;
            var (clientId, clientSecret) = BasicCredentials(request) ?? (Arg("client_id"), Arg("client_secret"));
            if (clientId != workspace.ClientId) return SlackWebApi.Error("invalid_client_id");
            if (clientSecret != workspace.ClientSecret) return SlackWebApi.Error("bad_client_secret");
            var grantType = Arg("grant_type") ?? (Arg("code") is not null ? "authorization_code" : null);
            var (answer, error) = grantType switch
            {
                "authorization_code" when Arg("code") is { } code => workspace.ExchangeCode(code, Arg("redirect_uri"), clock.GetUtcNow()),
                "refresh_token" when Arg("refresh_token") is { } refresh => workspace.Refresh(refresh, clock.GetUtcNow()),
                "authorization_code" => (null, "invalid_code"),
                "refresh_token" => (null, "invalid_refresh_token"),
                _ => (null, "invalid_grant_type"),
            };
            return answer is null ? SlackWebApi.Error(error!) : Results.Json(answer);
        });
    }

    private static (string? Id, string? Secret)? BasicCredentials(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())).Split(':', 2);
            return (Uri.UnescapeDataString(pair[0].Replace('+', ' ')), pair.Length > 1 ? Uri.UnescapeDataString(pair[1].Replace('+', ' ')) : null);
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }
}
