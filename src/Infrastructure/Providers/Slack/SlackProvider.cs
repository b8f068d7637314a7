using Integrations.Domain.Connections;
using Integrations.Domain.Connectors;

namespace Integrations.Infrastructure.Providers.Slack;

/// <summary>
/// Slack (docs/connectors/slack.md): OAuth v2 install of a bot (<c>/oauth/v2/authorize</c> →
/// <c>oauth.v2.access</c>, client authentication by HTTP Basic as Slack recommends), the workspace
/// (<c>team_id</c> of <c>auth.test</c>) as the account, and single-use refresh tokens for apps with
/// token rotation (12-hour access tokens; without rotation Slack sends no refresh token and the
/// token does not expire). Slack answers errors with HTTP 200 and <c>{"ok":false,"error":…}</c>:
/// <see cref="Errors"/> makes the runtime read them as failures. Every URL is configuration
/// (Providers:slack:…), so a fake serves tests and demos.
/// </summary>
public static class SlackProvider
{
    public const string Id = "slack";

    public const string MessageAction = "slack.message";

    /// <summary>
    /// Error codes Slack documents as passing (its own failures and throttling in the body) and
    /// those that say the token is not accepted; every other code is the request's fault.
    /// </summary>
    public static readonly BodyErrorConvention Errors = new("ok", "error",
        ["internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited", "team_added_to_org"],
        ["invalid_auth", "not_authed", "token_expired", "token_revoked", "account_inactive"]);

    public static ProviderDefinition Definition { get; } = new(
        Id,
        "Slack",
        [AuthKinds.OAuth2Code],
        new Uri("https://slack.com/api"),
        new OAuthSettings(
            new Uri("https://slack.com/oauth/v2/authorize"),
            new Uri("https://slack.com/api/oauth.v2.access"),
            // auth.revoke takes the token as bearer, not RFC 7009's form: it ends the bot token at once.
            new Uri("https://slack.com/api/auth.revoke"),
            ["chat:write", "channels:read", "commands"],
            ",",
            Pkce: false,
            ClientAuthentication.Basic,
            RefreshTokenBehaviour.SingleUse,
            TokenPolicy.DefaultExpiryBuffer) { Revocation = RevocationStyle.BearerToken },
        new HealthCheckCall("GET", "/auth.test", "data.team_id", "data.team"),
        // chat.postMessage: about one message a second per channel, paced by the channel across processes
        // (a tenth over the second, so network jitter never lands two within one); one call at a time per
        // workspace in a process keeps a channel's messages in order; a 429's Retry-After is still honoured.
        CallLimits.Default with { MaxConcurrentPerConnection = 1, KeySpacing = TimeSpan.FromSeconds(1.1) },
        [Http.HttpProvider.RequestAction, MessageAction])
    {
        BodyErrors = Errors,
    };
}
