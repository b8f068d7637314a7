using Integrations.Api.Authentication;
using Integrations.Infrastructure.Console;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Integrations.Api.Console;

public static class ConsoleServiceCollectionExtensions
{
    public static IServiceCollection AddConsole(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ConsoleOptions>(configuration.GetSection(ConsoleOptions.Section));
        services.AddConsolePersistence();
        // The console's own session (ADR 0019): never read by the REST API nor by /oauth.
        AddSessionCookie(services, ConsoleIdentity.Scheme, "__console", "/console", SameSiteMode.Lax);
        // The operator's dashboard session (/admin): another cookie on another path, and no tenant in it.
        AddSessionCookie(services, OperatorIdentity.Scheme, "__operator", "/admin", SameSiteMode.Strict);
        foreach (var scheme in new[] { ConsoleIdentity.Scheme, OperatorIdentity.Scheme })
            services.AddOptions<CookieAuthenticationOptions>(scheme)
                .Configure<IOptions<ConsoleOptions>>((o, console) => o.ExpireTimeSpan = console.Value.SessionLifetime);
        // A removed member's console session ends with their next request, not at its expiry.
        services.AddOptions<CookieAuthenticationOptions>(ConsoleIdentity.Scheme)
            .Configure(o => o.Events.OnValidatePrincipal = ConsoleMemberPages.RejectRemovedMemberAsync);
        services.AddAuthorizationBuilder()
            .AddPolicy(ConsoleIdentity.Policy, p => p
                .AddAuthenticationSchemes(ConsoleIdentity.Scheme)
                .RequireAssertion(c => c.User.Identity?.AuthenticationType == ConsoleIdentity.Scheme && c.User.TenantId() is not null))
            .AddPolicy(OperatorIdentity.Policy, p => p
                .AddAuthenticationSchemes(OperatorIdentity.Scheme)
                .RequireAssertion(c => c.User.IsOperator() && c.User.TenantId() is null));
        return services;
    }

    /// <summary>An HttpOnly session cookie sent only under <paramref name="path"/>, with a fixed lifetime (no sliding).</summary>
    private static void AddSessionCookie(IServiceCollection services, string scheme, string name, string path, SameSiteMode sameSite) =>
        services.AddAuthentication().AddCookie(scheme, o =>
        {
            o.Cookie.Name = name;
            o.Cookie.Path = path;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = sameSite;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SlidingExpiration = false;
            o.LoginPath = $"{path}/sign-in";
            o.ReturnUrlParameter = "return_to";
            o.AccessDeniedPath = $"{path}/sign-in";
        });
}
