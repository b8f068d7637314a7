using FluentValidation;
using FluentValidation.Results;
using Integrations.Application.Apps;
using Integrations.Application.Common.Behaviours;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Providers;
using Integrations.Domain.Connections;

namespace Integrations.Application.Connections;

/// <summary>The rules shared by creating and reconnecting a connection, so both refuse the same input the same way.</summary>
public static class ConnectionRules
{
    public const int MaxDisplayNameLength = 200;
    public const int MaxScopes = 50;
    public const int MaxScopeLength = 200;
    public const int MaxSecretLength = 4096;

    public static ValidationFailure Failure(string field, string code, string message) =>
        new(field, message) { ErrorCode = code, CustomState = FieldNames.Verbatim };

    /// <summary>
    /// The settings as a request gives them (URLs as text): null when none were given; a URL that
    /// does not parse is a 422 naming it (the rest is checked by <see cref="Check"/>).
    /// </summary>
    public static ConnectionSettings? ParseSettings(SettingsInput? input)
    {
        if (input is null) return null;
        var errors = new List<Common.Exceptions.ValidationError>();
        Uri? Url(string? text, string field)
        {
            if (text is null) return null;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri)) return uri;
            errors.Add(new(field, "invalid_url", $"{field} must be an absolute http(s) URL."));
            return null;
        }
        if (input.Site is not null && input.BaseUrl is not null)
            errors.Add(new("settings.site", "not_applicable", "settings.site names a site (Jira with an API token); settings.base_url an http connection's API: give one."));
        // A site may be given as its host (acme.atlassian.net): https is the only scheme it has.
        var site = input.Site is { } named ? Url(named.Contains("://", StringComparison.Ordinal) ? named : "https://" + named, "settings.site") : null;
        var settings = new ConnectionSettings(site ?? Url(input.BaseUrl, "settings.base_url"), Url(input.TokenUrl, "settings.token_url"), input.HealthCheckPath,
            input.AccountIdPath, input.AccountNamePath, input.ApiKeyHeader);
        return errors.Count > 0 ? throw new Common.Exceptions.ValidationException(errors) : settings;
    }

    /// <summary>The auth kind a request asks for, or the provider's default.</summary>
    public static string AuthKindOf(ProviderDefinition provider, string? requested) => requested ?? provider.AuthKinds[0];

    /// <summary>Everything about the credentials, scopes, settings and return URL that can be decided without the network.</summary>
    public static IEnumerable<ValidationFailure> Check(ProviderDefinition provider, string authKind, IReadOnlyList<string>? scopes, SuppliedCredentials? credentials,
        ConnectionSettings? settings, string? returnUrl, IProviderCatalog catalog)
    {
        if (!provider.Supports(authKind))
        {
            yield return Failure("auth_kind", "unsupported_auth_kind", $"{provider.Id} connections authenticate with {string.Join(" or ", provider.AuthKinds)}.");
            yield break;
        }
        if (authKind == AuthKinds.OAuth2Code)
        {
            if (credentials is not null)
                yield return Failure("credentials", "credentials_not_accepted", "An oauth2_code connection is authorized at the provider: follow the connect_url; send no credentials.");
            if (!catalog.HasOAuthClient(provider.Id))
                yield return Failure("provider", "provider_not_ready", $"The operator has not configured the platform's OAuth client for {provider.Id}.");
            if (returnUrl is not null && !AppRules.IsAllowedRedirect(returnUrl))
                yield return Failure("return_url", "invalid_return_url", "return_url must be an https URL (http only on a loopback host) without credentials or fragment, at most 2000 characters.");
        }
        else
        {
            if (returnUrl is not null)
                yield return Failure("return_url", "not_applicable", "return_url is only for oauth2_code connections, which come back from the provider.");
            foreach (var failure in CheckCredentials(authKind, credentials)) yield return failure;
            if (provider.KeyIsEndpoint is { } endpoint && authKind == AuthKinds.ApiKey && credentials?.ApiKey is { Length: > 0 } key
                && endpoint.Check(key) is { } problem)
                yield return Failure(problem.Field, problem.Code, problem.Message);
        }
        if (scopes is not null && authKind is AuthKinds.ApiKey or AuthKinds.Basic)
            yield return Failure("scopes", "not_applicable", "scopes are for OAuth connections.");
        else if (scopes is not null && (scopes.Count > MaxScopes || scopes.Any(s => s is null || s.Length is 0 or > MaxScopeLength || s.Any(char.IsWhiteSpace) || s.Any(char.IsControl))))
            yield return Failure("scopes", "invalid_scopes", $"scopes is a list of at most {MaxScopes} scope names, each 1–{MaxScopeLength} characters without spaces.");
        foreach (var problem in ConnectionEndpoints.Check(provider, authKind, settings)) yield return Failure(problem.Field, problem.Code, problem.Message);
    }

    /// <summary>The tenant-given URLs of the settings pass the SSRF guard (as webhook URLs do).</summary>
    /// <param name="endpointKey">An api_key that is the endpoint URL (<see cref="ProviderDefinition.KeyIsEndpoint"/>); its refusal never repeats the URL.</param>
    /// <param name="baseUrlField">What the request called the base URL: <c>settings.site</c> for a connection naming its site.</param>
    public static async Task<IReadOnlyList<ValidationFailure>> CheckReachableAsync(ConnectionSettings? settings, IUrlSafetyChecker urls, CancellationToken ct,
        string? endpointKey = null, string baseUrlField = "settings.base_url")
    {
        var failures = new List<ValidationFailure>();
        foreach (var (field, url) in new[] { (baseUrlField, settings?.BaseUrl?.OriginalString), ("settings.token_url", settings?.TokenUrl?.OriginalString),
                     ("credentials.api_key", endpointKey) })
        {
            if (url is not null && await urls.CheckAsync(url, ct) is { } refusal) failures.Add(Failure(field, refusal.Code, refusal.Message));
        }
        return failures;
    }

    private static IEnumerable<ValidationFailure> CheckCredentials(string authKind, SuppliedCredentials? c)
    {
        static bool Given(string? value) => !string.IsNullOrEmpty(value);
        static bool TooLong(string? value) => value is { Length: > MaxSecretLength } || value is not null && value.Any(char.IsControl);
        if (c is null)
        {
            yield return Failure("credentials", "required", authKind switch
            {
                AuthKinds.ApiKey => "credentials.api_key is required.",
                AuthKinds.Basic => "credentials.username and credentials.password are required.",
                _ => "credentials.client_id and credentials.client_secret are required.",
            });
            yield break;
        }
        var (required, allowed) = authKind switch
        {
            AuthKinds.ApiKey => (new[] { ("api_key", c.ApiKey) }, new[] { "api_key" }),
            AuthKinds.Basic => ([("username", c.Username), ("password", c.Password)], ["username", "password"]),
            _ => ([("client_id", c.ClientId), ("client_secret", c.ClientSecret)], ["client_id", "client_secret"]),
        };
        foreach (var (name, value) in required)
        {
            if (!Given(value)) yield return Failure("credentials." + name, "required", $"credentials.{name} is required for {authKind}.");
            else if (TooLong(value)) yield return Failure("credentials." + name, "invalid_value", $"credentials.{name} is at most {MaxSecretLength} characters, without control characters.");
        }
        if (authKind == AuthKinds.Basic && c.Username?.Contains(':', StringComparison.Ordinal) == true)
            yield return Failure("credentials.username", "invalid_value", "credentials.username cannot contain ':' (RFC 7617).");
        var extra = new[] { ("api_key", c.ApiKey), ("username", c.Username), ("password", c.Password), ("client_id", c.ClientId), ("client_secret", c.ClientSecret) }
            .Where(f => f.Item2 is not null && !allowed.Contains(f.Item1)).Select(f => f.Item1).ToList();
        if (extra.Count > 0)
            yield return Failure("credentials", "not_applicable", $"{authKind} credentials take {string.Join(" and ", allowed)}; not {string.Join(", ", extra)}.");
    }
}

/// <summary>A connection's settings as a request gives them: URLs still text.</summary>
/// <param name="Site">The site of a connection that names one (<see cref="SiteEndpoints"/>): its host or https URL, stored as the connection's base URL.</param>
public sealed record SettingsInput(string? BaseUrl, string? TokenUrl, string? HealthCheckPath, string? AccountIdPath, string? AccountNamePath, string? ApiKeyHeader,
    string? Site = null);
