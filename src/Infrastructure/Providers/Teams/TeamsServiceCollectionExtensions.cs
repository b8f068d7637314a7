using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Integrations.Infrastructure.Providers.Teams;

public static class TeamsServiceCollectionExtensions
{
    /// <summary>The two Teams providers and their card actions (docs/connectors/teams.md).</summary>
    public static IServiceCollection AddTeamsConnector(this IServiceCollection services, IConfiguration configuration)
    {
        // The bot's inbound tokens: Microsoft's keys and issuer unless configuration points them elsewhere (the Teams fake).
        services.AddSingleton<Application.Connectors.IBotConnectorTokens>(provider => new BotConnectorTokenReader(
            new Uri(configuration[$"{ProviderCatalog.Section}:{TeamsProviders.BotId}:OpenIdMetadataUrl"] ?? BotConnectorTokenReader.DefaultMetadataUrl),
            configuration[$"{ProviderCatalog.Section}:{TeamsProviders.BotId}:TokenIssuer"] ?? Domain.Connectors.Teams.BotTokenRules.Issuer,
            provider.GetRequiredService<Application.Common.Interfaces.IClock>()));
        services.AddSingleton(new BuiltInProvider(TeamsProviders.Workflows));
        services.AddSingleton(new BuiltInProvider(TeamsProviders.Bot));
        services.AddSingleton<Application.Connectors.IConnectorAction>(new TeamsCardAction(byBot: false));
        services.AddSingleton<Application.Connectors.IConnectorAction>(new TeamsCardAction(byBot: true));
        services.AddScoped<Application.Connectors.ITeamsConversations, PostgresTeamsConversations>();
        services.AddScoped<Application.Connectors.ICallServiceUrls, TeamsCallServiceUrls>();
        services.AddSingleton<Application.Connectors.ITeamsAppPackager, TeamsAppPackager>();
        services.AddSingleton(provider => new TeamsReplyClient.Transport(provider.GetRequiredService<Application.Connections.ConnectionsOptions>(),
            () => configuration.GetValue<bool>(Webhooks.WebhookUrlSafetyChecker.AllowPrivateNetworkTargetsSetting)));
        services.AddScoped<Application.Connectors.ITeamsReplies, TeamsReplyClient>();
        // Read when first resolved (hosts and tests add configuration after registration).
        services.AddSingleton(_ =>
        {
            var options = new Application.Connectors.TeamsTabOptions();
            configuration.GetSection(Application.Connectors.TeamsTabOptions.Section).Bind(options);
            return options;
        });
        return services;
    }
}
