namespace Integrations.Api.OAuth;

/// <summary>Settings of the authorization server (docs/configuration.md, docs/oauth.md).</summary>
public sealed class OAuthOptions
{
    public const string Section = "OAuth";

    /// <summary>
    /// The issuer identifier: the API's public base URL (https in production), e.g. https://api.example.com.
    /// When empty, the base URL of each request is used (development and tests only).
    /// </summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> of every access token: the identifier of this API.</summary>
    public string Audience { get; set; } = "integrations-api";

    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a sign-in session cookie of the authorization server lasts.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Failed passwords within <see cref="SignInFailureWindow"/> that lock a member's sign-in; 0 switches the lockout off.</summary>
    public int SignInMaxFailures { get; set; } = 5;

    public TimeSpan SignInFailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a locked member cannot sign in (even with the right password).</summary>
    public TimeSpan SignInLockout { get; set; } = TimeSpan.FromMinutes(15);

    public static string IssuerFor(OAuthOptions options, HttpRequest request) =>
        options.Issuer is { Length: > 0 } configured ? configured.TrimEnd('/') : $"{request.Scheme}://{request.Host}";
}
