using Integrations.Domain.Connections;
using Integrations.Domain.Connectors;

namespace Integrations.Infrastructure.Providers.ExactOnline;

/// <summary>
/// Exact Online (docs/connectors/exact-online.md, ADR 0031). One host per country (start.exactonline.nl,
/// .be, .co.uk, .de, .fr, .es, exact.com for the US): the host is configuration (Providers:exact-online:ApiBaseUrl,
/// AuthorizeUrl, TokenUrl), one per platform. OAuth 2.0 authorization code (start.exactonline.nl/docs/HlpRestAPIResources.aspx,
/// support.exactonline.com "OAuth tokens"): <c>/api/oauth2/auth</c> and <c>/api/oauth2/token</c>, client id and secret in the
/// form body, no scopes (the app's rights are set at the App Center), access tokens for 10 minutes (<c>expires_in</c> 600)
/// that may be refreshed only after 570 s, i.e. in their last 30 s (<see cref="OAuthSettings.RefreshWindow"/>; the runtime
/// refreshes 25 s before expiry), single-use refresh tokens (the runtime's lock and one atomic store per refresh).
/// The account is the user's current division (<c>GET /api/v1/current/Me</c>: <c>CurrentDivision</c>, named by
/// <c>DivisionCustomerName</c>); calls go below <c>/api/v1/{division}</c>. Limits ("API rate limits"): 60 calls per
/// minute and 5,000 per day per company, reported in <c>X-RateLimit-Minutely-*</c> and <c>X-RateLimit-*</c>, both
/// resets in epoch milliseconds. The runtime counts both quotas itself and, when Exact says the day is used up,
/// holds the connection's calls until Exact's reset.
/// </summary>
public static class ExactOnlineProvider
{
    public const string Id = "exact-online";

    /// <summary>Exact refuses a refresh earlier than 570 s into a 600-s token.</summary>
    public static readonly TimeSpan RefreshWindow = TimeSpan.FromSeconds(30);

    /// <summary>Within the window, with room for the token request itself and for clocks a few seconds apart.</summary>
    public static readonly TimeSpan ExpiryBuffer = TimeSpan.FromSeconds(25);

    public static ProviderDefinition Definition { get; } = new(
        Id,
        "Exact Online",
        [AuthKinds.OAuth2Code],
        new Uri("https://start.exactonline.nl"),
        new OAuthSettings(
            new Uri("https://start.exactonline.nl/api/oauth2/auth"),
            new Uri("https://start.exactonline.nl/api/oauth2/token"),
            null,
            [],
            " ",
            Pkce: false,
            ClientAuthentication.Post,
            RefreshTokenBehaviour.SingleUse,
            ExpiryBuffer) { RefreshWindow = RefreshWindow },
        new HealthCheckCall("GET", "/api/v1/current/Me?$select=CurrentDivision,DivisionCustomerName", "data.d.results[0].CurrentDivision", "data.d.results[0].DivisionCustomerName"),
        new CallLimits(new RateLimitHeaders("X-RateLimit-Minutely-Remaining", "X-RateLimit-Minutely-Reset", ResetFormat.EpochMilliseconds),
            [new Quota(60, TimeSpan.FromMinutes(1)), new Quota(5000, TimeSpan.FromDays(1))], [], 2, 64)
        {
            DayHeaders = new RateLimitHeaders("X-RateLimit-Remaining", "X-RateLimit-Reset", ResetFormat.EpochMilliseconds),
        },
        [Domain.Connectors.ExactOnline.ExactSalesInvoice.Action]);
}
