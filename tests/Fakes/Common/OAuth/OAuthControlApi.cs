using System.Text.Json.Nodes;
using Integrations.Fakes.Common.Auth;
using Integrations.Fakes.Common.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Integrations.Fakes.Common.OAuth;

/// <summary>
/// The OAuth part of the control API (tests/Fakes/README.md): settings (quirks, consent), clients,
/// accounts, token expiry and grant revocation on demand, refresh faults, counters, and the API keys
/// and Basic users of the non-OAuth modes.
/// </summary>
public static class OAuthControlApi
{
    public static void MapFakeOAuthControlApi(this WebApplication app)
    {
        var control = app.MapGroup(ControlApi.Prefix);
        var oauth = control.MapGroup("/oauth");

        oauth.MapGet("/settings", (OAuthServer server) => Results.Ok(server.Settings));
        oauth.MapPatch("/settings", async (HttpRequest request, OAuthServer server) =>
        {
            var (patch, error) = await ControlApi.ReadAsync<JsonObject>(request);
            error ??= server.Change(patch!);
            return error is null ? Results.Ok(server.Settings) : ControlApi.Invalid(error);
        });

        oauth.MapGet("/clients", (OAuthServer server) => Results.Ok(new { data = server.Clients }));
        oauth.MapPost("/clients", async (HttpRequest request, OAuthServer server) =>
        {
            var (client, error) = await ControlApi.ReadAsync<OAuthClient>(request);
            if ((error ?? (client! with { RedirectUris = client.RedirectUris ?? [] }).Validate()) is { } problem)
            {
                return ControlApi.Invalid(problem);
            }
            server.AddClient(client! with { RedirectUris = client.RedirectUris ?? [] });
            return Results.Created($"{ControlApi.Prefix}/oauth/clients", client);
        });

        control.MapGet("/accounts", (OAuthServer server) => Results.Ok(new { data = server.Accounts }));
        control.MapPost("/accounts", async (HttpRequest request, OAuthServer server) =>
        {
            var (account, error) = await ControlApi.ReadAsync<Account>(request);
            if (error is null && (string.IsNullOrWhiteSpace(account!.Id) || string.IsNullOrWhiteSpace(account.Name)))
            {
                error = "id and name are required";
            }
            if (error is not null)
            {
                return ControlApi.Invalid(error);
            }
            server.AddAccount(account!);
            return Results.Created($"{ControlApi.Prefix}/accounts", account);
        });

        oauth.MapGet("/grants", (TokenStore store) => Results.Ok(new { data = store.DescribeGrants() }));
        oauth.MapPost("/expire-tokens", async (HttpRequest request, TokenStore store) =>
        {
            var (selection, error) = await ControlApi.ReadAsync<TokenSelection>(request);
            return error is not null ? ControlApi.Invalid(error)
                : Results.Ok(new { expired = store.ExpireAccessTokens(selection!.AccessToken, selection.Account) });
        });
        oauth.MapPost("/revoke-grants", async (HttpRequest request, TokenStore store) =>
        {
            var (selection, error) = await ControlApi.ReadAsync<TokenSelection>(request);
            return error is not null ? ControlApi.Invalid(error)
                : Results.Ok(new { revoked = store.RevokeGrants(selection!.Account, selection.ClientId) });
        });

        oauth.MapPost("/refresh-faults", async (HttpRequest request, OAuthServer server) =>
        {
            var (fault, error) = await ControlApi.ReadAsync<RefreshFault>(request);
            if ((error ?? fault!.Validate()) is { } problem)
            {
                return ControlApi.Invalid(problem);
            }
            server.AddRefreshFault(fault!);
            return Results.Created($"{ControlApi.Prefix}/oauth/refresh-faults", fault);
        });
        oauth.MapDelete("/refresh-faults", (OAuthServer server) =>
        {
            server.ClearRefreshFaults();
            return Results.NoContent();
        });
        oauth.MapGet("/stats", (OAuthServer server) => Results.Ok(server.Stats()));

        MapCredentials(control.MapGroup("/auth"));
    }

    private static void MapCredentials(RouteGroupBuilder auth)
    {
        auth.MapGet("", (StaticCredentials credentials) => Results.Ok(credentials.Settings));
        auth.MapPut("", async (HttpRequest request, StaticCredentials credentials) =>
        {
            var (settings, error) = await ControlApi.ReadAsync<ResourceAuthSettings>(request);
            if (error is null && string.IsNullOrWhiteSpace(settings!.ApiKeyHeader))
            {
                error = "api_key_header must not be empty";
            }
            if (error is not null)
            {
                return ControlApi.Invalid(error);
            }
            credentials.Settings = settings!;
            return Results.Ok(settings);
        });
        auth.MapPost("/api-keys", async (HttpRequest request, StaticCredentials credentials) =>
        {
            var (key, error) = await ControlApi.ReadAsync<ApiKey>(request);
            if (error is null && (string.IsNullOrWhiteSpace(key!.Key) || string.IsNullOrWhiteSpace(key.Account)))
            {
                error = "key and account are required";
            }
            if (error is not null)
            {
                return ControlApi.Invalid(error);
            }
            credentials.AddApiKey(key!.Key, key.Account);
            return Results.Created($"{ControlApi.Prefix}/auth/api-keys", key);
        });
        auth.MapDelete("/api-keys/{key}", (string key, StaticCredentials credentials) =>
            credentials.RemoveApiKey(key) ? Results.NoContent() : Results.NotFound());
        auth.MapPost("/basic-users", async (HttpRequest request, StaticCredentials credentials) =>
        {
            var (user, error) = await ControlApi.ReadAsync<BasicUser>(request);
            if (error is null && (string.IsNullOrEmpty(user!.Username) || user.Username.Contains(':') || user.Password is null || string.IsNullOrWhiteSpace(user.Account)))
            {
                error = "username (without ':'), password and account are required";
            }
            if (error is not null)
            {
                return ControlApi.Invalid(error);
            }
            credentials.AddUser(user!.Username, user.Password!, user.Account);
            return Results.Created($"{ControlApi.Prefix}/auth/basic-users", new { user.Username, user.Account });
        });
        auth.MapDelete("/basic-users/{username}", (string username, StaticCredentials credentials) =>
            credentials.RemoveUser(username) ? Results.NoContent() : Results.NotFound());
    }

    private sealed record TokenSelection(string? AccessToken, string? Account, string? ClientId);

    private sealed record ApiKey(string Key, string Account);

    private sealed record BasicUser(string Username, string? Password, string Account);
}
