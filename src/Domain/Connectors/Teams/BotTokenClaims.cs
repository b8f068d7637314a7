namespace Integrations.Domain.Connectors.Teams;

/// <summary>The claims of a token the Bot Connector sent with an activity, once its RS256 signature checked out.</summary>
/// <param name="ServiceUrl">The token's <c>serviceUrl</c> claim.</param>
public sealed record BotTokenClaims(string? Issuer, IReadOnlyList<string> Audiences, DateTimeOffset? NotBefore, DateTimeOffset? Expires, string? ServiceUrl);

/// <summary>
/// The checks Microsoft documents for a request from the Bot Connector service to a bot beside the
/// signature (learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication,
/// "Connector to bot"): the issuer is <c>https://api.botframework.com</c>, the audience is the bot's
/// app id, the token is within its lifetime (5 minutes of clock skew), and its <c>serviceUrl</c>
/// claim is the activity's <c>serviceUrl</c>. Pure.
/// </summary>
public static class BotTokenRules
{
    public const string Issuer = "https://api.botframework.com";
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The first reason the token is refused, or null.</summary>
    /// <param name="isOurBot">Whether an audience is a bot app id this platform serves (a connected bot).</param>
    public static string? Refusal(BotTokenClaims claims, string? activityServiceUrl, Func<string, bool> isOurBot, DateTimeOffset now, string issuer = Issuer)
    {
        if (!string.Equals(claims.Issuer, issuer, StringComparison.Ordinal)) return "wrong_issuer";
        if (claims.Expires is not { } expires) return "no_expiry";
        if (expires + ClockSkew < now) return "expired";
        if (claims.NotBefore is { } notBefore && notBefore - ClockSkew > now) return "not_yet_valid";
        if (claims.Audiences.Count == 0 || !claims.Audiences.Any(isOurBot)) return "wrong_audience";
        if (claims.ServiceUrl is null || activityServiceUrl is null || !SameServiceUrl(claims.ServiceUrl, activityServiceUrl)) return "service_url_mismatch";
        return null;
    }

    /// <summary>The bot the token is for: its first audience this platform serves.</summary>
    public static string? BotOf(BotTokenClaims claims, Func<string, bool> isOurBot) => claims.Audiences.FirstOrDefault(isOurBot);

    /// <summary>Equal but for a trailing slash (Teams sends https://smba.trafficmanager.net/amer/ in both places, with or without it).</summary>
    private static bool SameServiceUrl(string a, string b) => string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
