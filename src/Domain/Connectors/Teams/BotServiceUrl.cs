using Integrations.Domain.Connections;

namespace Integrations.Domain.Connectors.Teams;

/// <summary>
/// Where the bot's calls for a conversation go: the <c>serviceUrl</c> its activities came from
/// (Microsoft routes each tenant to a regional Bot Connector, smba.trafficmanager.net/emea/ …, and
/// asks bots to keep and use it), provided it is on one of the provider's service URL hosts
/// (<see cref="ProviderDefinition.ServiceUrlHosts"/>) or on the operator's configured API base's
/// origin. Anything else never receives the bot's token. Pure.
/// </summary>
public static class BotServiceUrl
{
    /// <summary>Microsoft's Bot Connector hosts for Teams: public cloud, GCC, GCC High and DoD.</summary>
    public static readonly IReadOnlyList<string> MicrosoftHosts =
        ["smba.trafficmanager.net", "smba.infra.gcc.teams.microsoft.com", "smba.infra.gov.teams.microsoft.us", "smba.infra.dod.teams.microsoft.us"];

    /// <summary>The service URL as the base of calls, or null when the bot's token must not go there.</summary>
    public static Uri? Allowed(string? serviceUrl, ProviderDefinition bot)
    {
        if (serviceUrl is null || serviceUrl.Length > 500 || !Uri.TryCreate(serviceUrl, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http")
            || url.UserInfo.Length > 0 || url.Query.Length > 0 || url.Fragment.Length > 0)
            return null;
        if (bot.ApiBaseUrl is { } configured
            && string.Equals(configured.GetLeftPart(UriPartial.Authority), url.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
            return url;
        return bot.ServiceUrlHosts is { } hosts && hosts.CheckOrigin(url, "serviceUrl", "a Bot Connector") is null ? url : null;
    }
}
