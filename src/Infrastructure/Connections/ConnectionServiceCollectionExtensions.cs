using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connections;
using Integrations.Infrastructure.Persistence.Projections;
using Integrations.Infrastructure.Persistence.ReadModels;
using Integrations.Infrastructure.Providers;
using Integrations.Infrastructure.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Infrastructure.Connections;

public static class ConnectionServiceCollectionExtensions
{
    /// <summary>What both hosts need for connections: the projections, read models, the connect flow's tables, the lock and the provider calls.</summary>
    public static IServiceCollection AddConnections(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<SqlProjection, ConnectionsProjection>();
        services.AddSingleton<SqlProjection, ConnectionAuditLogProjection>();
        // Read when first resolved (hosts and tests add configuration after registration), and validated at start-up.
        services.AddSingleton(_ =>
        {
            var options = new ConnectionsOptions();
            configuration.GetSection(ConnectionsOptions.Section).Bind(options);
            options.Validate();
            return options;
        });
        services.AddOptions<OptionsChecked>().Configure<ConnectionsOptions>((_, _) => { }).ValidateOnStart();
        services.AddScoped<IConnectionReadModel, ConnectionReadModel>();
        services.AddScoped<IConnectionLock, PostgresConnectionLock>();
        services.AddScoped<IConnectAuthorizations, PostgresConnectAuthorizations>();
        services.AddScoped<IConnectionHealthSchedule, PostgresConnectionHealthSchedule>();
        services.AddScoped<IConnectionLinks, PostgresConnectionLinks>();
        services.AddSingleton<IProviderClient>(provider => new ProviderHttpClient(provider.GetRequiredService<ProviderCatalog>(),
            provider.GetRequiredService<ConnectionsOptions>(), provider.GetRequiredService<IClock>(),
            () => configuration.GetValue<bool>(WebhookUrlSafetyChecker.AllowPrivateNetworkTargetsSetting)));
        return services;
    }

    /// <summary>The Workers' connections pipeline: the token sweep and the periodic health checks.</summary>
    public static IServiceCollection AddConnectionSweeps(this IServiceCollection services)
    {
        services.AddHostedService<TokenSweepService>();
        services.AddHostedService<HealthSweepService>();
        return services;
    }

    private sealed class OptionsChecked;
}
