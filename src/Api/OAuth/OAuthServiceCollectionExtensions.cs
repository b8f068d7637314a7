using Integrations.Application.OAuth;
using Integrations.Infrastructure.OAuth;
using Integrations.Infrastructure.Security.DataProtection;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace Integrations.Api.OAuth;

public static class OAuthServiceCollectionExtensions
{
    public static IServiceCollection AddOAuthServer(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<OAuthOptions>(configuration.GetSection(OAuthOptions.Section));
        services.AddOAuthPersistence();
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<AccessTokens>();
        services.AddScoped<OAuthBearerValidator>();
        services.AddSingleton<IMemberPasswordHasher, MemberPasswordHasher>();
        services.AddScoped<MemberSignIn>();
        // Antiforgery tokens and the session cookies are Data Protection payloads: one key ring for all instances.
        services.AddSharedDataProtection();
        services.AddAntiforgery(o =>
        {
            // Path / : the console's forms (/console, ADR 0019) use the same antiforgery service.
            o.Cookie.Name = "__af";
            o.Cookie.Path = "/";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__RequestVerificationToken";
        });
        // The sign-in session of the authorization server only: the REST API never reads it.
        services.AddAuthentication().AddCookie(OAuthServerEndpoints.SessionScheme, o =>
        {
            o.Cookie.Name = "__oauth_session";
            o.Cookie.Path = "/oauth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SlidingExpiration = false;
            o.ExpireTimeSpan = TimeSpan.FromMinutes(30);
            o.Events.OnRedirectToLogin = c => { c.Response.StatusCode = 401; return Task.CompletedTask; };
            o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = 403; return Task.CompletedTask; };
        });
        return services;
    }
}

/// <summary>The framework's PasswordHasher (PBKDF2, versioned format) behind the Application port.</summary>
public sealed class MemberPasswordHasher : IMemberPasswordHasher
{
    private static readonly PasswordHasher<object> Hasher = new();
    private static readonly object User = new();

    public string Hash(string password) => Hasher.HashPassword(User, password);

    public bool Verify(string hash, string password) => Hasher.VerifyHashedPassword(User, hash, password) != PasswordVerificationResult.Failed;
}
