using Integrations.Domain.Connections;
using Integrations.Domain.Connectors;

namespace Integrations.Infrastructure.Providers.HubSpot;

/// <summary>
/// HubSpot (docs/connectors/hubspot.md, ADR 0030): OAuth 2.0 authorization code at app.hubspot.com
/// (developers.hubspot.com/docs/api/oauth-quickstart-guide): client id and secret in the token
/// request's body at <c>api.hubapi.com/oauth/v1/token</c>, access tokens for 30 minutes
/// (<c>expires_in</c>), refresh tokens that do not change. The runtime refreshes before
/// <c>expires_in</c> runs out, never waiting for a 401, as HubSpot asks. The account is the portal:
/// <c>GET /account-info/v3/details</c> names its <c>portalId</c>. Limits for OAuth apps: 110 calls per
/// 10 seconds per portal, reported in <c>X-HubSpot-RateLimit-Remaining</c> and
/// <c>X-HubSpot-RateLimit-Interval-Milliseconds</c> (the window; OAuth calls carry no daily header).
/// The runtime keeps under 100 per 10 s per connection. Every URL is configuration (Providers:hubspot:…).
/// </summary>
public static class HubSpotProvider
{
    public const string Id = "hubspot";

    public static ProviderDefinition Definition { get; } = new(
        Id,
        "HubSpot",
        [AuthKinds.OAuth2Code],
        new Uri("https://api.hubapi.com"),
        new OAuthSettings(
            new Uri("https://app.hubspot.com/oauth/authorize"),
            new Uri("https://api.hubapi.com/oauth/v1/token"),
            null,
            ["oauth", "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.companies.read", "crm.objects.companies.write"],
            " ",
            Pkce: false,
            ClientAuthentication.Post,
            RefreshTokenBehaviour.Reusable,
            TokenPolicy.DefaultExpiryBuffer),
        new HealthCheckCall("GET", "/account-info/v3/details", "data.portalId", "data.uiDomain"),
        new CallLimits(new RateLimitHeaders("X-HubSpot-RateLimit-Remaining", "X-HubSpot-RateLimit-Interval-Milliseconds", ResetFormat.MillisecondsFromNow),
            [new Quota(100, TimeSpan.FromSeconds(10))], [], 4, 64),
        [Domain.Connectors.HubSpot.HubSpotUpsert.Action, Domain.Connectors.HubSpot.HubSpotUpsert.ArchiveAction]);
}
