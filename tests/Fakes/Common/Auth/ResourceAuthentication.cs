using System.Text.Json;
using System.Text.RegularExpressions;
using Integrations.Fakes.Common.OAuth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Fakes.Common.Auth;

/// <summary>
/// Authenticates calls to a fake's API in the configured mode and tells the endpoint whose account it
/// serves. Refusals follow RFC 6750 §3 for bearer tokens (and API keys sent as such) and RFC 7617 §2 for
/// Basic; the JSON body repeats the error for convenience.
/// </summary>
public sealed partial class ResourceAuthentication(OAuthServer server, TokenStore tokens, StaticCredentials credentials)
{
    private const string AccountItem = "fake.account";

    /// <summary>RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".</summary>
    [GeneratedRegex("^[A-Za-z0-9\\-._~+/]+=*$")]
    private static partial Regex B64Token();

    /// <summary>The account of the call, set by <see cref="RequireFakeAuthentication"/>.</summary>
    public static Account AccountOf(HttpContext context) => (Account)context.Items[AccountItem]!;

    public async Task<Account?> AuthenticateAsync(HttpContext context)
    {
        var settings = credentials.Settings;
        var realm = server.Settings.Realm;
        var header = context.Request.Headers.Authorization.ToString();
        string? accountId;
        if (settings.Mode == ResourceAuthMode.Basic) return await AuthenticateBasicAsync(context);

        var bearer = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        var headerKey = settings.Mode == ResourceAuthMode.ApiKey ? context.Request.Headers[settings.ApiKeyHeader].ToString() : "";
        if (bearer is null && headerKey.Length == 0)
        {
            // §3.1: a request without any authentication gets the challenge without an error code.
            await RefuseAsync(context, 401, $"Bearer realm=\"{realm}\"", "unauthorized", "Authentication is required.");
            return null;
        }
        if (bearer is not null && !B64Token().IsMatch(bearer))
        {
            await RefuseAsync(context, 400, Challenge(realm, "invalid_request", "The bearer token is malformed."),
                "invalid_request", "The bearer token is malformed.");
            return null;
        }
        string? problem;
        if (settings.Mode == ResourceAuthMode.ApiKey)
        {
            accountId = credentials.AccountOfKey(bearer ?? headerKey);
            problem = accountId is null ? "The API key is not valid." : null;
        }
        else
        {
            var (grant, why) = tokens.Validate(bearer!);
            (accountId, problem) = (grant?.Account, why);
        }
        if (accountId is null)
        {
            await RefuseAsync(context, 401, Challenge(realm, "invalid_token", problem!), "invalid_token", problem!);
            return null;
        }
        return Remember(context, server.ResolveAccount(accountId));
    }

    /// <summary>
    /// HTTP Basic with a configured user (<c>Auth:Users</c>, the control API's basic users) whatever the mode: for fakes
    /// whose API takes both OAuth tokens and Basic on different paths (Jira's gateway and a site's own host).
    /// </summary>
    public async Task<Account?> AuthenticateBasicAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var basic = $"Basic realm=\"{server.Settings.Realm}\", charset=\"UTF-8\"";
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            await RefuseAsync(context, 401, basic, "unauthorized", "Basic credentials are required.");
            return null;
        }
        var accountId = BasicCredentials.Decode(header[6..]) is var (user, password) ? credentials.AccountOfUser(user, password) : null;
        if (accountId is null)
        {
            await RefuseAsync(context, 401, basic, "unauthorized", "The user name or password is wrong.");
            return null;
        }
        return Remember(context, server.ResolveAccount(accountId));
    }

    private static string Challenge(string realm, string error, string description) =>
        $"Bearer realm=\"{realm}\", error=\"{error}\", error_description=\"{description.Replace("\"", "'")}\"";

    private static Account Remember(HttpContext context, Account account)
    {
        context.Items[AccountItem] = account;
        return account;
    }

    private static Task RefuseAsync(HttpContext context, int status, string challenge, string error, string description)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.WWWAuthenticate = challenge;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { error, error_description = description }));
    }
}

public static class ResourceAuthenticationExtensions
{
    /// <summary>Every endpoint of the group requires the configured authentication; handlers read the account with <see cref="ResourceAuthentication.AccountOf"/>.</summary>
    public static TBuilder RequireFakeAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (invocation, next) =>
        {
            var authentication = invocation.HttpContext.RequestServices.GetRequiredService<ResourceAuthentication>();
            return await authentication.AuthenticateAsync(invocation.HttpContext) is null ? Results.Empty : await next(invocation);
        });

    /// <summary>Every endpoint of the group requires HTTP Basic with a configured user, whatever the fake's mode.</summary>
    public static TBuilder RequireFakeBasicAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (invocation, next) =>
        {
            var authentication = invocation.HttpContext.RequestServices.GetRequiredService<ResourceAuthentication>();
            return await authentication.AuthenticateBasicAsync(invocation.HttpContext) is null ? Results.Empty : await next(invocation);
        });
}
