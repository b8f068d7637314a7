using Integrations.Domain.Connections;

namespace Integrations.Infrastructure.Providers.Teams;

/// <summary>
/// Microsoft Teams (docs/connectors/teams.md), as the two routes Microsoft supports for posting to a
/// channel; the retired Office 365 connectors and MessageCard are not used.
/// <list type="bullet">
/// <item><c>teams-workflows</c>: a Workflows ("when a Teams webhook request is received") URL the
/// tenant pastes, kept as the connection's api_key because its query holds the signature
/// (<see cref="EndpointKey"/>): on Microsoft's hosts only, under the SSRF rules; it answers 202.</item>
/// <item><c>microsoft-teams</c>: the tenant's bot (an Entra ID app registration with an Azure Bot
/// resource): client-credentials tokens from login.microsoftonline.com for the Bot Connector, whose
/// REST API posts to channels the bot is installed in. The bot's app id is the account.</item>
/// </list>
/// Every URL is configuration (Providers:&lt;id&gt;:…), so the Teams fake serves tests and demos.
/// </summary>
public static class TeamsProviders
{
    public const string WorkflowsId = "teams-workflows";
    public const string BotId = "microsoft-teams";
    public const string WorkflowCardAction = "teams.workflow_card";
    public const string BotCardAction = "teams.bot_card";

    /// <summary>
    /// Where Workflows trigger URLs live: Power Automate's environment hosts
    /// (<c>{env}.environment.api.powerplatform.com</c>) and the older Logic Apps hosts
    /// (<c>prod-NN.{region}.logic.azure.com</c>). learn.microsoft.com/power-automate/teams/teams-webhook-trigger.
    /// </summary>
    public static readonly IReadOnlyList<string> WorkflowHosts = ["*.logic.azure.com", "*.powerplatform.com", "*.environment.api.powerplatform.com"];

    public static ProviderDefinition Workflows { get; } = new(
        WorkflowsId,
        "Microsoft Teams (Workflows webhook)",
        [AuthKinds.ApiKey],
        // Each connection's URL is its own endpoint (the key); this base only stands for the provider in listings.
        new Uri("https://environment.api.powerplatform.com"),
        OAuth: null,
        HealthCheck: null,
        // A Workflows trigger is throttled per flow; one post at a time keeps a channel's cards in order.
        CallLimits.Default with { MaxConcurrentPerConnection = 1 },
        [WorkflowCardAction])
    {
        KeyIsEndpoint = new EndpointKey(WorkflowHosts),
    };

    /// <summary>
    /// The bot: tokens for the Bot Connector from the botframework.com tenant (multi-tenant bots; a
    /// single-tenant bot's operator sets Providers:microsoft-teams:TokenUrl to its own tenant), scope
    /// https://api.botframework.com/.default; the API is the Teams service URL (smba.trafficmanager.net).
    /// learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication.
    /// </summary>
    public static ProviderDefinition Bot { get; } = new(
        BotId,
        "Microsoft Teams (bot)",
        [AuthKinds.OAuth2ClientCredentials],
        new Uri("https://smba.trafficmanager.net/teams"),
        new OAuthSettings(
            AuthorizeUrl: null,
            new Uri("https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"),
            RevokeUrl: null,
            ["https://api.botframework.com/.default"],
            " ",
            Pkce: false,
            ClientAuthentication.Post,
            RefreshTokenBehaviour.None,
            TokenPolicy.DefaultExpiryBuffer),
        HealthCheck: null,
        CallLimits.Default with { MaxConcurrentPerConnection = 1 },
        [BotCardAction])
    {
        AccountIsClientId = true,
        ServiceUrlHosts = new EndpointKey(Domain.Connectors.Teams.BotServiceUrl.MicrosoftHosts),
    };
}
