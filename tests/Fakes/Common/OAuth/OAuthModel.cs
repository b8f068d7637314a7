using System.Security.Cryptography;

namespace Integrations.Fakes.Common.OAuth;

/// <summary>An account of the external system (a Slack team, a Jira site, an Exact division): whose data a token reaches.</summary>
public sealed record Account(string Id, string Name);

/// <summary>A registered client. No secret: a public client (RFC 6749 §2.1), which may not authenticate.</summary>
public sealed record OAuthClient(string ClientId, string? ClientSecret, List<string> RedirectUris)
{
    public bool IsPublic => ClientSecret is null;

    public string? Validate() =>
        string.IsNullOrWhiteSpace(ClientId) ? "client_id is required"
        : ClientSecret is { Length: 0 } ? "client_secret must not be empty (leave it out for a public client)"
        : RedirectUris.Any(u => !RedirectUri.IsValid(u)) ? "redirect_uris must be absolute URIs without a fragment"
        : null;
}

/// <summary>An error answer as RFC 6749 §5.2 shapes it (and §4.1.2.1 on the authorization endpoint).</summary>
public sealed record OAuthError(string Error, string Description, int Status = 400)
{
    public static OAuthError InvalidRequest(string description) => new("invalid_request", description);
    public static OAuthError InvalidGrant(string description) => new("invalid_grant", description);
}

/// <summary>What a successful token request hands out (RFC 6749 §5.1).</summary>
public sealed record TokenIssue(string AccessToken, int ExpiresIn, string? RefreshToken, string Scope, Grant Grant);

/// <summary>An authorization the user (or the client, for client credentials) gave: the tokens hang from it.</summary>
public sealed class Grant
{
    public required string Id { get; init; }
    public required string ClientId { get; init; }
    public required string Account { get; init; }
    public required string Scope { get; init; }
    public required string GrantType { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public bool Revoked { get; set; }
    /// <summary>The refresh token a client holding the newest answer has.</summary>
    public string? CurrentRefreshToken { get; set; }
}

internal sealed class CodeRecord
{
    public required string ClientId { get; init; }
    public required string RedirectUri { get; init; }
    /// <summary>RFC 6749 §4.1.3: when the authorization request named redirect_uri, the token request must repeat it.</summary>
    public required bool RedirectUriGiven { get; init; }
    public required string Scope { get; init; }
    public required string Account { get; init; }
    public string? Challenge { get; init; }
    public string? ChallengeMethod { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public string? RedeemedGrantId { get; set; }
}

internal sealed class RefreshRecord
{
    public required string GrantId { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>When the access token issued with this refresh token expires (for <see cref="OAuthSettings.RefreshWindowSeconds"/>).</summary>
    public DateTimeOffset AccessExpiresAt { get; init; }
    public DateTimeOffset? ReplacedAt { get; set; }
    public bool Used { get; set; }
}

internal sealed class AccessRecord
{
    public required string GrantId { get; init; }
    public DateTimeOffset ExpiresAt { get; set; }
    public bool Revoked { get; set; }
}

/// <summary>An authorization request waiting for the user's decision on the consent page.</summary>
public sealed record PendingAuthorization(
    string Id,
    OAuthClient Client,
    string RedirectUri,
    bool RedirectUriGiven,
    string Scope,
    string? State,
    string? Challenge,
    string? ChallengeMethod,
    string Account);

/// <summary>Opaque random tokens with a readable prefix.</summary>
public static class Tokens
{
    public static string New(string prefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>Redirection URIs (RFC 6749 §3.1.2): absolute, no fragment; compared as plain strings (RFC 3986 §6.2.1).</summary>
public static class RedirectUri
{
    public static bool IsValid(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && string.IsNullOrEmpty(uri.Fragment) && !value!.Contains('#');

    /// <summary>The redirection URI with the response parameters added to its query (RFC 6749 §4.1.2: keep its own query).</summary>
    public static string With(string redirectUri, IEnumerable<KeyValuePair<string, string?>> parameters)
    {
        var query = string.Join('&', parameters.Where(p => p.Value is not null)
            .Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value!)));
        return redirectUri + (redirectUri.Contains('?') ? "&" : "?") + query;
    }
}
