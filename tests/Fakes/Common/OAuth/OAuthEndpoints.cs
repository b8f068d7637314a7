using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Integrations.Fakes.Common.Auth;

namespace Integrations.Fakes.Common.OAuth;

/// <summary>Registration of the OAuth 2.0 authorization server core in a fake.</summary>
public static class OAuthEndpoints
{
    /// <summary>The core's services; register your own <see cref="OAuthResponses"/> subclass first to change the answers' shape.</summary>
    public static IServiceCollection AddFakeOAuthServer(this IServiceCollection services)
    {
        services.AddFakeState<OAuthServer>();
        services.AddFakeState<TokenStore>();
        services.TryAddSingleton<OAuthResponses>();
        services.AddFakeState<StaticCredentials>();
        services.AddSingleton<ResourceAuthentication>();
        return services;
    }

    /// <summary>
    /// Maps the authorization, token and revocation endpoints at the paths of the settings at start-up,
    /// the metadata document (RFC 8414 §3) and the OAuth part of the control API.
    /// </summary>
    public static WebApplication MapFakeOAuthServer(this WebApplication app)
    {
        var server = app.Services.GetRequiredService<OAuthServer>();
        server.Configure(app.Configuration);
        app.Services.GetRequiredService<StaticCredentials>().Configure(app.Configuration);
        var settings = server.Settings;

        app.MapMethods(settings.AuthorizePath, [HttpMethods.Get, HttpMethods.Post],
            (HttpContext context, OAuthServer s, TokenStore store) => AuthorizationEndpoint.HandleAsync(context, s, store));
        app.MapPost(settings.AuthorizePath + AuthorizationEndpoint.DecisionSuffix,
            (HttpContext context, OAuthServer s, TokenStore store) => AuthorizationEndpoint.DecideAsync(context, s, store));
        app.MapPost(settings.TokenPath,
            (HttpContext context, OAuthServer s, TokenStore store, OAuthResponses responses, Control.FaultRules faults) =>
                TokenEndpoint.HandleAsync(context, s, store, responses, faults));
        if (settings.RevocationPath is { Length: > 0 } revocation)
        {
            app.MapPost(revocation, (HttpContext context, OAuthServer s, TokenStore store, OAuthResponses responses) =>
                RevocationEndpoint.HandleAsync(context, s, store, responses));
        }
        app.MapGet("/.well-known/oauth-authorization-server", (HttpContext context, OAuthServer s) => Results.Json(Metadata(context, s.Settings)));
        app.MapFakeOAuthControlApi();
        return app;
    }

    /// <summary>RFC 8414 §2: what a client can learn about this server.</summary>
    private static Dictionary<string, object?> Metadata(HttpContext context, OAuthSettings settings)
    {
        var issuer = $"{context.Request.Scheme}://{context.Request.Host}";
        var metadata = new Dictionary<string, object?>
        {
            ["issuer"] = issuer,
            ["authorization_endpoint"] = issuer + settings.AuthorizePath,
            ["token_endpoint"] = issuer + settings.TokenPath,
            ["response_types_supported"] = new[] { "code" },
            ["grant_types_supported"] = new[] { "authorization_code", "refresh_token", "client_credentials" },
            ["token_endpoint_auth_methods_supported"] = settings.ClientAuthMethods,
        };
        if (settings.RevocationPath is { Length: > 0 })
        {
            metadata["revocation_endpoint"] = issuer + settings.RevocationPath;
            metadata["revocation_endpoint_auth_methods_supported"] = settings.ClientAuthMethods;
        }
        if (settings.Pkce != PkcePolicy.Unsupported)
        {
            metadata["code_challenge_methods_supported"] = settings.PkceMethods;
        }
        if (settings.Scopes.Count > 0)
        {
            metadata["scopes_supported"] = settings.Scopes;
        }
        return metadata;
    }
}
