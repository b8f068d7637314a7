using Integrations.Application;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Connectors;
using Integrations.Application.Connectors.Pipelines.Calls;
using Integrations.Application.Connectors.Registrations;
using Integrations.Infrastructure.Http;
using Integrations.Infrastructure.Persistence.Projections;
using Integrations.Infrastructure.Persistence.ReadModels;
using Integrations.Infrastructure.Providers.Http;
using Integrations.Infrastructure.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Integrations.Infrastructure.Connectors;

public static class ConnectorServiceCollectionExtensions
{
    /// <summary>
    /// What both hosts need for the connector runtime: the routes projection and read model, the call
    /// ledger, the actions, the runtime's settings (validated at start-up) and its per-connection state.
    /// </summary>
    public static IServiceCollection AddConnectorRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<SqlProjection, ConnectorRoutesProjection>();
        services.AddScoped<IRouteReadModel, RouteReadModel>();
        services.AddScoped<IConnectorCallLedger, ConnectorCallLedger>();
        services.AddScoped<IConnectorCallResults, ConnectorCallResults>();
        services.AddScoped<IConnectorWrites, ConnectorWrites>();
        services.AddScoped<IConnectorConnectionStates, ConnectorConnectionStates>();
        services.AddScoped<IConnectorHealthReadModel, ConnectorHealthReadModel>();
        services.AddSingleton<IConnectorAction, HttpRequestAction>();
        services.AddSingleton<IConnectorActions, ConnectorActions>();
        // Read when first resolved (hosts and tests add configuration after registration), and validated at start-up.
        services.AddSingleton(_ =>
        {
            var options = new ConnectorsOptions();
            configuration.GetSection(ConnectorsOptions.Section).Bind(options);
            options.Validate();
            return options;
        });
        services.AddOptions<OptionsChecked>().Configure<ConnectorsOptions>((_, _) => { }).ValidateOnStart();
        services.AddScoped<IProviderRegistrations, PostgresProviderRegistrations>();
        services.AddSingleton(_ => ReadRegistrationOptions(configuration));
        services.AddOptions<RegistrationsChecked>().Configure<RegistrationOptions>((_, _) => { }).ValidateOnStart();
        return services;
    }

    /// <summary>The Workers' registration health (pipeline "connections"): the sweep that keeps registrations at providers alive.</summary>
    public static IServiceCollection AddRegistrationSweep(this IServiceCollection services)
    {
        services.AddHostedService<RegistrationSweepService>();
        return services;
    }

    /// <summary>Connectors:Registrations, its public base URL defaulting to Connections:CallbackBaseUrl, else OAuth:Issuer.</summary>
    private static RegistrationOptions ReadRegistrationOptions(IConfiguration configuration)
    {
        var options = new RegistrationOptions();
        configuration.GetSection("Connectors:Registrations").Bind(options);
        if (options.PublicBaseUrl is not { Length: > 0 })
            options.PublicBaseUrl = new[] { configuration["Connections:CallbackBaseUrl"], configuration["OAuth:Issuer"] }.FirstOrDefault(u => u is { Length: > 0 });
        if (options.Problem() is { } problem) throw new InvalidOperationException(problem);
        return options;
    }

    /// <summary>
    /// The connector call pipeline of the Workers' connectors pipeline: Application's steps, the adapters of
    /// their ports (claims, sending through the per-connection resilience pipelines, quotas, waking) and the
    /// background service that runs it.
    /// </summary>
    public static IServiceCollection AddConnectorCalls(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddConnectorCallPipeline();
        services.AddSingleton<IConnectorCallClaims, ConnectorCallClaims>();
        services.AddSingleton<ICallWakeups, ConnectorCallWakeups>();
        services.AddSingleton<CircuitStateWriter>();
        services.TryAddSingleton<QuotaCounters>();
        services.AddSingleton<ConnectorResilience>();
        // The webhooks' SSRF switch: one rule for every URL a tenant gives the platform.
        services.AddSingleton<IConnectorCallSender>(provider => new ConnectorCallSender(provider.GetRequiredService<ConnectorResilience>(),
            provider.GetRequiredService<QuotaCounters>(), provider.GetRequiredService<ConnectorsOptions>(), provider.GetRequiredService<IClock>(),
            () => configuration.GetValue<bool>(WebhookUrlSafetyChecker.AllowPrivateNetworkTargetsSetting)));
        // One instance, reachable as itself too (tests read how many calls it holds).
        services.AddSingleton<ConnectorCallDispatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<ConnectorCallDispatcher>());
        return services;
    }

    private sealed class OptionsChecked;

    private sealed class RegistrationsChecked;
}
