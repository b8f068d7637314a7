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
        services.AddAuthentication().AddCookie(ConsoleIdentity.Scheme, o =>
        {
            o.Cookie.Name = "__console";
            o.Cookie.Path = "/console";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SlidingExpiration = false;
            o.LoginPath = "/console/sign-in";
            o.ReturnUrlParameter = "return_to";
            o.AccessDeniedPath = "/console/sign-in";
        });
        // The operator's dashboard session (/admin): another cookie on another path, and no tenant in it.
        services.AddAuthentication().AddCookie(OperatorIdentity.Scheme, o =>
        {
            o.Cookie.Name = "__operator";
            o.Cookie.Path = "/admin";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SlidingExpiration = false;
            o.LoginPath = "/admin/sign-in";
            o.ReturnUrlParameter = "return_to";
            o.AccessDeniedPath = "/admin/sign-in";
        });
        foreach (var scheme in new[] { ConsoleIdentity.Scheme, OperatorIdentity.Scheme })
            services.AddOptions<CookieAuthenticationOptions>(scheme)
                .Configure<IOptions<ConsoleOptions>>((o, console) => o.ExpireTimeSpan = console.Value.SessionLifetime);
        services.AddAuthorizationBuilder()
            .AddPolicy(ConsoleIdentity.Policy, p => p
                .AddAuthenticationSchemes(ConsoleIdentity.Scheme)
                .RequireAssertion(c => c.User.Identity?.AuthenticationType == ConsoleIdentity.Scheme && c.User.TenantId() is not null))
            .AddPolicy(OperatorIdentity.Policy, p => p
                .AddAuthenticationSchemes(OperatorIdentity.Scheme)
                .RequireAssertion(c => c.User.IsOperator() && c.User.TenantId() is null));
        return services;
    }
}
