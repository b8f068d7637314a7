using Microsoft.AspNetCore.Authentication;

namespace Integrations.Api.Authentication;

public static class AuthenticationExtensions
{
    public const string AdminPolicy = "admin";
    public const string TenantOrAdminPolicy = "tenant_or_admin";

    public static IServiceCollection AddBearerAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AuthOptions>(configuration.GetSection(AuthOptions.Section));
        services.AddAuthentication(Principals.Scheme)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(Principals.Scheme, null);
        // Keeps this process's cache of API keys in step with every change, wherever it commits.
        services.AddHostedService<Infrastructure.Security.ApiKeys.ApiKeyCacheInvalidation>();
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, p => p.RequireRole(Principals.AdminRole))
            .AddPolicy(TenantOrAdminPolicy, p => p.RequireAssertion(c => c.User.IsAdmin() || c.User.TenantId() is not null));
        return services;
    }
}
