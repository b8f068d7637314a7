using Integrations.Domain.Connections;

namespace Integrations.Infrastructure.Providers.Http;

/// <summary>
/// The generic HTTP provider: any JSON API the tenant names. Each connection brings its own base URL
/// (under the same SSRF rules as webhook URLs) and its own credentials: an API key, basic auth, or an
/// OAuth 2.0 client of its own (client credentials grant).
/// </summary>
public static class HttpProvider
{
    public const string Id = "http";

    public const string RequestAction = "http.request";

    public static ProviderDefinition Definition { get; } = new(
        Id,
        "HTTP (any JSON API)",
        [AuthKinds.ApiKey, AuthKinds.Basic, AuthKinds.OAuth2ClientCredentials],
        ApiBaseUrl: null,
        OAuth: null,
        HealthCheck: null,
        CallLimits.Default,
        [RequestAction]);
}
