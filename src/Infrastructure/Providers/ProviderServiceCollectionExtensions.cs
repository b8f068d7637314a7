using Integrations.Application.Providers;
using Integrations.Infrastructure.Providers.Http;
using Integrations.Infrastructure.Providers.Teams;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Infrastructure.Providers;

public static class ProviderServiceCollectionExtensions
{
    /// <summary>The provider catalog: every built-in provider registers its definition here, configuration adds and overrides.</summary>
    public static IServiceCollection AddProviders(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(new BuiltInProvider(HttpProvider.Definition));
        services.AddSingleton(new BuiltInProvider(Slack.SlackProvider.Definition));
        services.AddSingleton<Application.Connectors.IConnectorAction, Slack.SlackMessageAction>();
        services.AddTeamsConnector(configuration);
        services.AddSingleton<Application.Connectors.Queries.ListSlackChannels.ISlackChannels>(provider => new Slack.SlackChannelClient(
            provider.GetRequiredService<Application.Connections.ConnectionsOptions>(), provider.GetRequiredService<Application.Common.Interfaces.IClock>(),
            () => configuration.GetValue<bool>(Webhooks.WebhookUrlSafetyChecker.AllowPrivateNetworkTargetsSetting)));
        // Read when first resolved (hosts and tests add configuration after registration), and resolved at start-up so a mistake stops the host.
        services.AddSingleton(provider => new ProviderCatalog(provider.GetServices<BuiltInProvider>(), configuration));
        services.AddSingleton<IProviderCatalog>(provider => provider.GetRequiredService<ProviderCatalog>());
        // Options validated on start (IStartupValidator, not a hosted service): building them builds the catalog.
        services.AddOptions<CatalogChecked>().Configure<ProviderCatalog>((_, _) => { }).ValidateOnStart();
        return services;
    }

    private sealed class CatalogChecked;
}
