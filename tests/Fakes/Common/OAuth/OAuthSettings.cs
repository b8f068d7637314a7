using System.Text.Json;
using System.Text.Json.Nodes;

namespace Integrations.Fakes.Common.OAuth;

/// <summary>What happens to a refresh token when it is used (RFC 6749 §6 lets the server choose, §10.4).</summary>
public enum RefreshTokenPolicy
{
    /// <summary>The refresh token never changes; every refresh answers it again (or omits it, see <see cref="OAuthSettings.OmitUnchangedRefreshToken"/>).</summary>
    Static,
    /// <summary>Each refresh issues a new refresh token; the old one keeps working for <see cref="OAuthSettings.RotationGraceSeconds"/>.</summary>
    Rotating,
    /// <summary>Each refresh token works once; using it again is <c>invalid_grant</c> (Exact Online).</summary>
    SingleUse,
}

/// <summary>Proof Key for Code Exchange (RFC 7636) as the provider handles it.</summary>
public enum PkcePolicy
{
    /// <summary>An authorization request without <c>code_challenge</c> is refused (RFC 7636 §4.4.1).</summary>
    Required,
    /// <summary>Used when the client sends a challenge.</summary>
    Optional,
    /// <summary>The provider knows nothing of PKCE: challenges and verifiers are ignored (RFC 7636 §5).</summary>
    Unsupported,
}

/// <summary>How the user's consent is given at the authorization endpoint.</summary>
public enum ConsentMode
{
    /// <summary>An HTML page with Approve and Deny buttons (for browser tests).</summary>
    Interactive,
    /// <summary>Approved at once: 302 back to the client with a code.</summary>
    Approve,
    /// <summary>Denied at once: 302 back with <c>error=access_denied</c>.</summary>
    Deny,
}

/// <summary>
/// The quirks of one provider's authorization server. Set at start-up from the <c>OAuth</c>
/// configuration section (arguments or environment) and changed at run time with
/// <c>PATCH /_fake/oauth/settings</c> (a JSON object with the fields to change, snake_case).
/// </summary>
public sealed record OAuthSettings
{
    /// <summary>The realm of the WWW-Authenticate challenges (RFC 9110 §11.5, RFC 6750 §3).</summary>
    public string Realm { get; init; } = "fake";
    public string AuthorizePath { get; init; } = "/oauth/authorize";
    public string TokenPath { get; init; } = "/oauth/token";
    /// <summary>The RFC 7009 endpoint; null or empty when the provider has none.</summary>
    public string? RevocationPath { get; init; } = "/oauth/revoke";

    /// <summary><c>expires_in</c> of access tokens, in seconds.</summary>
    public int AccessTokenLifetimeSeconds { get; init; } = 3600;
    /// <summary>How long an unused refresh token lives; null: until revoked.</summary>
    public int? RefreshTokenLifetimeSeconds { get; init; }
    /// <summary>RFC 6749 §4.1.2: codes are short-lived, at most ten minutes recommended.</summary>
    public int CodeLifetimeSeconds { get; init; } = 600;

    public bool IssueRefreshTokens { get; init; } = true;
    public RefreshTokenPolicy RefreshTokens { get; init; } = RefreshTokenPolicy.Static;
    /// <summary>With <see cref="RefreshTokenPolicy.Rotating"/>: how long a replaced refresh token still works.</summary>
    public int RotationGraceSeconds { get; init; }
    /// <summary>With <see cref="RefreshTokenPolicy.SingleUse"/>: a reused refresh token revokes the whole grant (RFC 9700 §4.14.2).</summary>
    public bool ReuseRevokesGrant { get; init; }
    /// <summary>
    /// A refresh is refused (<c>invalid_request</c>, <c>TooEarlyToRefreshTokens</c>; the refresh token stays good) until the
    /// access token issued with the refresh token has at most this many seconds left. Exact Online: 30 (a new token only
    /// 570 s after the last one of 600 s; support.exactonline.com "API rate limits", "OAuth tokens"). Null: any time.
    /// </summary>
    public int? RefreshWindowSeconds { get; init; }
    /// <summary>With <see cref="RefreshTokenPolicy.Static"/>: leave <c>refresh_token</c> out of refresh answers (the client keeps its own).</summary>
    public bool OmitUnchangedRefreshToken { get; init; }

    public PkcePolicy Pkce { get; init; } = PkcePolicy.Optional;
    /// <summary>The <c>code_challenge_method</c> values accepted (RFC 7636 §4.2: S256 and plain).</summary>
    public List<string> PkceMethods { get; init; } = ["S256", "plain"];

    /// <summary>Client authentication at the token and revocation endpoints (RFC 6749 §2.3.1; names of RFC 7591 §2).</summary>
    public List<string> ClientAuthMethods { get; init; } = [ClientSecretBasic, ClientSecretPost];

    public ConsentMode Consent { get; init; } = ConsentMode.Interactive;
    /// <summary>The account (tenant of the external system) consent picks unless the request names one.</summary>
    public string ConsentAccount { get; init; } = "default";
    /// <summary>The authorization request parameter that names the account.</summary>
    public string AccountParameter { get; init; } = "account";

    /// <summary>Scopes a client may ask for; empty: any.</summary>
    public List<string> Scopes { get; init; } = [];
    /// <summary>The scope granted when the request names none (RFC 6749 §3.3).</summary>
    public string DefaultScope { get; init; } = "";

    /// <summary>Revoking an access token also revokes its grant's refresh token (RFC 7009 §2.1 leaves it to the server).</summary>
    public bool RevokingAccessTokenRevokesGrant { get; init; }

    public const string ClientSecretBasic = "client_secret_basic";
    public const string ClientSecretPost = "client_secret_post";

    public string? Validate() =>
        AccessTokenLifetimeSeconds <= 0 ? "access_token_lifetime_seconds must be positive"
        : RefreshTokenLifetimeSeconds is <= 0 ? "refresh_token_lifetime_seconds must be positive"
        : CodeLifetimeSeconds <= 0 ? "code_lifetime_seconds must be positive"
        : RotationGraceSeconds < 0 ? "rotation_grace_seconds must not be negative"
        : RefreshWindowSeconds is < 0 ? "refresh_window_seconds must not be negative"
        : PkceMethods.Any(m => m is not ("S256" or "plain")) ? "pkce_methods holds S256 and/or plain"
        : ClientAuthMethods.Count == 0 || ClientAuthMethods.Any(m => m is not (ClientSecretBasic or ClientSecretPost))
            ? "client_auth_methods holds client_secret_basic and/or client_secret_post"
        : new[] { AuthorizePath, TokenPath, string.IsNullOrEmpty(RevocationPath) ? "/" : RevocationPath }.Any(p => !p.StartsWith('/'))
            ? "paths start with /"
        : string.IsNullOrWhiteSpace(AccountParameter) ? "account_parameter must not be empty"
        : null;

    /// <summary>These settings with the fields of <paramref name="patch"/> changed (a JSON merge of the two).</summary>
    public OAuthSettings Merge(JsonObject patch)
    {
        var current = JsonSerializer.SerializeToNode(this, WithNulls)!.AsObject();
        foreach (var (name, value) in patch)
        {
            if (!current.ContainsKey(name))
            {
                throw new JsonException($"unknown setting '{name}'");
            }
            current[name] = value?.DeepClone();
        }
        return current.Deserialize<OAuthSettings>(WithNulls) ?? throw new JsonException("settings must be an object");
    }

    private static readonly JsonSerializerOptions WithNulls = new(FakeApp.Json)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
    };
}
