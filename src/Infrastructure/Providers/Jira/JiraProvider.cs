using Integrations.Domain.Connections;
using Integrations.Domain.Connectors;

namespace Integrations.Infrastructure.Providers.Jira;

/// <summary>
/// Jira Cloud (docs/connectors/jira.md, ADR 0027): OAuth 2.0 (3LO) at auth.atlassian.com
/// (<c>audience=api.atlassian.com</c> and <c>prompt=consent</c> are part of the authorize URL, as
/// Atlassian's "OAuth 2.0 (3LO) apps" page builds it), client credentials in the token request's body,
/// refresh tokens that rotate on every use (<c>offline_access</c>; the old one is dead, so single-use
/// under the runtime's lock). The account is the site: the first cloud id of
/// <c>GET /oauth/token/accessible-resources</c> (the site the user granted on the consent screen),
/// and calls go through the API gateway at <c>/ex/jira/{cloudid}/rest/api/3</c>. Jira's rate limits
/// are <c>429</c> with <c>Retry-After</c> and <c>X-RateLimit-Remaining</c>/<c>X-RateLimit-Reset</c>
/// (an ISO 8601 instant). Every URL is configuration (Providers:jira:…), so a fake serves tests.
/// With an API token and the account's e-mail (<c>basic</c>; developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/)
/// the connection names its site (<c>*.atlassian.net</c>, Providers:jira:SiteHosts), the only host such a token works on:
/// calls go below <c>https://{site}/rest/api/3</c>, and <c>GET /myself</c> is the health check (it needs a valid token, while
/// Jira answers some reads, serverInfo among them, to an anonymous caller); the site's host is the account.
/// </summary>
public static class JiraProvider
{
    public const string Id = "jira";

    public const string IssueAction = Integrations.Domain.Connectors.Jira.JiraIssueUpdate.IssueAction;

    public const string TransitionAction = Integrations.Domain.Connectors.Jira.JiraTransition.Action;

    public static ProviderDefinition Definition { get; } = new(
        Id,
        "Jira Cloud",
        [AuthKinds.OAuth2Code, AuthKinds.Basic],
        new Uri("https://api.atlassian.com"),
        new OAuthSettings(
            new Uri("https://auth.atlassian.com/authorize?audience=api.atlassian.com&prompt=consent"),
            new Uri("https://auth.atlassian.com/oauth/token"),
            null,
            ["read:jira-work", "write:jira-work", "manage:jira-webhook", "offline_access"],
            " ",
            Pkce: false,
            ClientAuthentication.Post,
            RefreshTokenBehaviour.SingleUse,
            TokenPolicy.DefaultExpiryBuffer),
        new HealthCheckCall("GET", "/oauth/token/accessible-resources", "data[0].id", "data[0].name"),
        // Jira counts cost per app and user; a few calls at a time per site, its 429s and reset headers honoured.
        new CallLimits(new RateLimitHeaders("X-RateLimit-Remaining", "X-RateLimit-Reset", ResetFormat.Iso8601), [], [], 2, 64),
        [IssueAction, TransitionAction])
    {
        AccountApiPath = "/ex/jira/{account}/rest/api/3",
        SiteEndpoints = new SiteEndpoints(AuthKinds.Basic, "/rest/api/3", ["*.atlassian.net"], new HealthCheckCall("GET", "/myself", "", null)),
    };
}
