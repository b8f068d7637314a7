namespace Integrations.Domain.Connectors.Teams;

/// <summary>The claims of a token the Bot Connector sent with an activity, once its RS256 signature checked out.</summary>
/// <param name="ServiceUrl">The token's <c>serviceUrl</c> claim.</param>
/// <param name="Endorsements">The channels the signing key is endorsed for (its <c>endorsements</c> in the JWKS); empty when it lists none.</param>
public sealed record BotTokenClaims(string? Issuer, IReadOnlyList<string> Audiences, DateTimeOffset? NotBefore, DateTimeOffset? Expires, string? ServiceUrl,
    IReadOnlyList<string> Endorsements);

/// <summary>What the activity itself says about where it came from: its <c>serviceUrl</c> and <c>channelId</c> (msteams).</summary>
public sealed record BotActivityOrigin(string? ServiceUrl, string? ChannelId);

/// <summary>
/// The checks Microsoft documents for a request from the Bot Connector service to a bot beside the
/// signature (learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication,
/// "Connector to bot"): the issuer is <c>https://api.botframework.com</c>, the audience is the bot's
/// app id, the token is within its lifetime (5 minutes of clock skew), its <c>serviceUrl</c>
/// claim is the activity's <c>serviceUrl</c>, and the key that signed it is endorsed for the
/// activity's <c>channelId</c>. Like Microsoft's SDK, an activity naming no channel asserts none;
/// unlike it, a key listing no endorsements endorses nothing (Microsoft's keys always list them). Pure.
/// </summary>
public static class BotTokenRules
{
    public const string Issuer = "https://api.botframework.com";
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The first reason the token is refused, or null.</summary>
    /// <param name="isOurBot">Whether an audience is a bot app id this platform serves (a connected bot).</param>
    public static string? Refusal(BotTokenClaims claims, BotActivityOrigin activity, Func<string, bool> isOurBot, DateTimeOffset now, string issuer = Issuer)
    {
        if (!string.Equals(claims.Issuer, issuer, StringComparison.Ordinal)) return "wrong_issuer";
        if (claims.Expires is not { } expires) return "no_expiry";
        if (expires + ClockSkew < now) return "expired";
        if (claims.NotBefore is { } notBefore && notBefore - ClockSkew > now) return "not_yet_valid";
        if (claims.Audiences.Count == 0 || !claims.Audiences.Any(isOurBot)) return "wrong_audience";
        if (claims.ServiceUrl is null || activity.ServiceUrl is null || !SameServiceUrl(claims.ServiceUrl, activity.ServiceUrl)) return "service_url_mismatch";
        if (!string.IsNullOrWhiteSpace(activity.ChannelId) && !claims.Endorsements.Contains(activity.ChannelId, StringComparer.OrdinalIgnoreCase))
            return "channel_not_endorsed";
        return null;
    }

    /// <summary>The bot the token is for: its first audience this platform serves.</summary>
    public static string? BotOf(BotTokenClaims claims, Func<string, bool> isOurBot) => claims.Audiences.FirstOrDefault(isOurBot);

    /// <summary>Equal but for a trailing slash (Teams sends https://smba.trafficmanager.net/amer/ in both places, with or without it).</summary>
    private static bool SameServiceUrl(string a, string b) => string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
