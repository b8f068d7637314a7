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
        services.AddScoped<Application.Connectors.Queries.AnswerSlackCommand.SlackStatusAnswers>();
        services.AddSingleton(_ => configuration.GetSection(Application.Connectors.Queries.AnswerSlackCommand.SlackCommandOptions.Section)
            .Get<Application.Connectors.Queries.AnswerSlackCommand.SlackCommandOptions>() ?? new());
        // The process that takes a slash command answers on its response_url when the answer is slow: the API host runs it.
        services.AddSingleton(provider => new Slack.SlackFollowUpSender(provider.GetRequiredService<IServiceScopeFactory>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<Slack.SlackFollowUpSender>>(),
            () => configuration.GetValue<bool>(Webhooks.WebhookUrlSafetyChecker.AllowPrivateNetworkTargetsSetting)));
        services.AddSingleton<Application.Connectors.Queries.AnswerSlackCommand.ISlackFollowUps>(provider => provider.GetRequiredService<Slack.SlackFollowUpSender>());
        services.AddSingleton(new BuiltInProvider(Jira.JiraProvider.Definition));
        services.AddSingleton<Application.Connectors.IConnectorAction, Jira.JiraIssueAction>();
        services.AddSingleton<Application.Connectors.IConnectorAction, Jira.JiraTransitionAction>();
        services.AddSingleton<Application.Connectors.Queries.ListJiraProjects.IJiraProjects>(provider => new Jira.JiraProjectClient(
            provider.GetRequiredService<Application.Connections.ConnectionsOptions>(), provider.GetRequiredService<Application.Common.Interfaces.IClock>(),
            () => configuration.GetValue<bool>(Webhooks.WebhookUrlSafetyChecker.AllowPrivateNetworkTargetsSetting)));
        services.AddSingleton<Application.Connectors.Registrations.IProviderRegistrar>(provider => new Jira.JiraWebhookRegistrar(
            provider.GetRequiredService<Application.Connections.ConnectionsOptions>(),
            () => configuration.GetValue<bool>(Webhooks.WebhookUrlSafetyChecker.AllowPrivateNetworkTargetsSetting)));
        services.AddSingleton(new BuiltInProvider(HubSpot.HubSpotProvider.Definition));
        services.AddSingleton<Application.Connectors.IConnectorAction, HubSpot.HubSpotUpsertAction>();
        services.AddSingleton<Application.Connectors.IConnectorAction, HubSpot.HubSpotArchiveAction>();
        services.AddSingleton(new BuiltInProvider(ExactOnline.ExactOnlineProvider.Definition));
        services.AddSingleton<Application.Connectors.IConnectorAction, ExactOnline.ExactSalesInvoiceAction>();
        // Read when first resolved (hosts and tests add configuration after registration), and resolved at start-up so a mistake stops the host.
        services.AddSingleton(provider => new ProviderCatalog(provider.GetServices<BuiltInProvider>(), configuration));
        services.AddSingleton<IProviderCatalog>(provider => provider.GetRequiredService<ProviderCatalog>());
        // Options validated on start (IStartupValidator, not a hosted service): building them builds the catalog.
        services.AddOptions<CatalogChecked>().Configure<ProviderCatalog>((_, _) => { }).ValidateOnStart();
        return services;
    }

    private sealed class CatalogChecked;
}
