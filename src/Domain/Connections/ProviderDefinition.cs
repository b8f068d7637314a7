using Integrations.Domain.Connectors;

namespace Integrations.Domain.Connections;

/// <summary>The wire values of how a provider authenticates us.</summary>
public static class AuthKinds
{
    /// <summary>OAuth 2.0 authorization code grant (RFC 6749 §4.1), with PKCE (RFC 7636) where the provider supports it.</summary>
    public const string OAuth2Code = "oauth2_code";
    /// <summary>OAuth 2.0 client credentials grant (RFC 6749 §4.4): the tenant gives its own client id and secret.</summary>
    public const string OAuth2ClientCredentials = "oauth2_client_credentials";
    public const string ApiKey = "api_key";
    public const string Basic = "basic";

    public static readonly IReadOnlyList<string> All = [OAuth2Code, OAuth2ClientCredentials, ApiKey, Basic];

    public static bool IsOAuth(string kind) => kind is OAuth2Code or OAuth2ClientCredentials;
}

/// <summary>What a provider does with refresh tokens.</summary>
public enum RefreshTokenBehaviour
{
    /// <summary>No refresh tokens (long-lived access tokens, API keys).</summary>
    None,
    /// <summary>The same refresh token works until revoked.</summary>
    Reusable,
    /// <summary>A refresh may return a new refresh token; the old one keeps working for a while.</summary>
    Rotating,
    /// <summary>Every refresh returns a new refresh token and the old one is dead at once (Exact Online): losing one kills the connection.</summary>
    SingleUse,
}

/// <summary>How we send our OAuth client credentials to the token endpoint (RFC 6749 §2.3.1).</summary>
public enum ClientAuthentication
{
    Basic,
    Post,
}

/// <summary>How the provider's revocation endpoint takes a token.</summary>
public enum RevocationStyle
{
    /// <summary>RFC 7009: the refresh token (else the access token) in a form, the client authenticated.</summary>
    Rfc7009,

    /// <summary>The access token as the bearer of a POST without arguments (Slack's auth.revoke).</summary>
    BearerToken,
}

/// <summary>The provider's OAuth 2.0 endpoints and habits; every URL is configuration.</summary>
public sealed record OAuthSettings(
    Uri? AuthorizeUrl,
    Uri TokenUrl,
    Uri? RevokeUrl,
    IReadOnlyList<string> DefaultScopes,
    string ScopeSeparator,
    bool Pkce,
    ClientAuthentication ClientAuthentication,
    RefreshTokenBehaviour RefreshTokens,
    TimeSpan ExpiryBuffer)
{
    public RevocationStyle Revocation { get; init; } = RevocationStyle.Rfc7009;

    /// <summary>
    /// The provider refuses a refresh while more than this remains of the access token (Exact Online: only in the
    /// last 30 s of its 10 minutes, else <c>TooEarlyToRefreshTokens</c>, and every refused call counts towards
    /// its error limit). Must be at least <see cref="ExpiryBuffer"/>. Null: a refresh may be asked for at any time.
    /// </summary>
    public TimeSpan? RefreshWindow { get; init; }
}

/// <summary>
/// The call that proves a connection works, and where its answer names the account: the account id
/// routes inbound traffic back to the tenant, so it comes from the provider, never from the caller.
/// </summary>
/// <param name="AccountIdPath">A JSON path into the answer, as a template path on <c>data</c> (e.g. <c>data.team.id</c>).</param>
public sealed record HealthCheckCall(string Method, string Path, string AccountIdPath, string? AccountNamePath);

/// <summary>
/// A catalog provider's connections of one auth kind that name their own site, because that kind of
/// credential works only on the site's own host (Jira Cloud's API token with the account's e-mail, on
/// <c>https://acme.atlassian.net</c>; its OAuth tokens work only through the gateway). The tenant gives the
/// site (<c>settings.site</c>), which must be https on one of <see cref="AllowedHosts"/> (<see cref="EndpointKey"/>'s
/// rules: names, <c>*.</c> patterns, or an exact origin for a local stand-in in tests); calls go below the site at
/// <see cref="ApiPath"/>, and <see cref="HealthCheck"/> is called there.
/// </summary>
/// <param name="ApiPath">Where the API is below the site (<c>/rest/api/3</c>).</param>
/// <param name="HealthCheck">Its path is below the site's API; an empty account path makes the site's host the account.</param>
public sealed record SiteEndpoints(string AuthKind, string ApiPath, IReadOnlyList<string> AllowedHosts, HealthCheckCall HealthCheck);

/// <summary>The limits of calls to a provider, as the provider documents them.</summary>
/// <param name="QuotasPerConnection">E.g. Exact Online: 60 per minute and 5,000 per day per company.</param>
/// <param name="MaxConcurrentPerConnection">Calls in flight at once for one connection.</param>
/// <param name="MaxConcurrentPerProvider">Calls in flight at once for all connections of the provider in one Workers process.</param>
public sealed record CallLimits(
    RateLimitHeaders Headers,
    IReadOnlyList<Quota> QuotasPerConnection,
    IReadOnlyList<Quota> QuotasPerProvider,
    int MaxConcurrentPerConnection,
    int MaxConcurrentPerProvider)
{
    public static readonly CallLimits Default = new(RateLimitHeaders.None, [], [], 4, 64);

    /// <summary>
    /// The least time between two calls of a connection with the same pace key (Slack: about one
    /// message a second per channel), kept in PostgreSQL so it holds across Workers processes.
    /// Null: calls are not paced by key.
    /// </summary>
    public TimeSpan? KeySpacing { get; init; }

    /// <summary>
    /// A second, long window the provider reports beside <see cref="Headers"/> (Exact Online's day: <c>X-RateLimit-Remaining</c>
    /// and <c>X-RateLimit-Reset</c>). A refused call whose answer says none of it remains holds every call of the connection
    /// until its reset, as a used-up quota does (however long: the calls wait in the ledger, not in memory). Null: none.
    /// </summary>
    public RateLimitHeaders? DayHeaders { get; init; }
}

/// <summary>
/// One external system the platform connects to. The stable <see cref="Id"/> (slack, jira, exact-online…)
/// is what connections, routes and inbound URLs name; the rest comes from configuration
/// (Providers__&lt;id&gt;__…) so tests and sandboxes can point a provider at another host.
/// </summary>
/// <param name="AuthKinds">How a connection may authenticate; the first is the default.</param>
/// <param name="ApiBaseUrl">Where the provider's API is; actions and the health check call paths below it. Null: each connection names its own (the generic <c>http</c> provider).</param>
/// <param name="HealthCheck">Null: the connection names its own check, or has none.</param>
/// <param name="Actions">The actions routes may use (e.g. http.request, slack.post_message).</param>
public sealed record ProviderDefinition(
    string Id,
    string DisplayName,
    IReadOnlyList<string> AuthKinds,
    Uri? ApiBaseUrl,
    OAuthSettings? OAuth,
    HealthCheckCall? HealthCheck,
    CallLimits Limits,
    IReadOnlyList<string> Actions)
{
    public bool Supports(string authKind) => AuthKinds.Contains(authKind);

    /// <summary>The header an API key goes in (e.g. X-API-Key); null: <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    public string? ApiKeyHeader { get; init; }

    /// <summary>How the provider's webhooks are verified and routed on <c>POST /inbound/{id}</c>; null: it has no provider-wide inbound URL.</summary>
    public Inbound.InboundSettings? Inbound { get; init; }

    /// <summary>Set for providers that answer errors with HTTP 200 and a flag in the body (Slack); null: a 2xx is a success.</summary>
    public BodyErrorConvention? BodyErrors { get; init; }

    /// <summary>
    /// Where a connected account's API is below <see cref="ApiBaseUrl"/>, <c>{account}</c> standing for
    /// the connection's account id (Jira Cloud: <c>/ex/jira/{account}/rest/api/3</c>, the account being
    /// the site's cloud id). The health check, which finds the account, still calls below the base URL
    /// itself. Null: calls go below the base URL.
    /// </summary>
    public string? AccountApiPath { get; init; }
    /// <summary>Set for catalog providers whose connections of one auth kind name their own site (Jira with an API token); null: none do.</summary>
    public SiteEndpoints? SiteEndpoints { get; init; }

    /// <summary>Set for providers whose api_key is the endpoint URL itself (a Teams Workflows URL); null: keys are sent in a header.</summary>
    public EndpointKey? KeyIsEndpoint { get; init; }

    /// <summary>
    /// For providers that tell each conversation's API base in its activities (a Teams bot's regional
    /// <c>serviceUrl</c>): the hosts (or origins) such a base may be on, so that a call carries the
    /// connection's token nowhere else. Null: every call goes below the connection's base URL.
    /// </summary>
    public EndpointKey? ServiceUrlHosts { get; init; }

    /// <summary>
    /// For client-credentials providers without a call that names the account (a Teams bot): the
    /// client id the token endpoint accepted is the account.
    /// </summary>
    public bool AccountIsClientId { get; init; }
}
