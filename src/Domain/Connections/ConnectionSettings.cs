using System.Text.Json;
using Integrations.Domain.Common;
using Integrations.Domain.Connectors;

namespace Integrations.Domain.Connections;

/// <summary>
/// What a connection of a provider without fixed endpoints (the generic <c>http</c> provider) brings
/// itself: where the API is, where its tokens come from (client credentials), which call proves it
/// works and names the account, and the header an API key goes in. Catalog providers take all of
/// this from their definition, so their connections have no settings.
/// </summary>
/// <param name="BaseUrl">The API's base URL; actions and the health check call paths below it.</param>
/// <param name="TokenUrl">The token endpoint of an oauth2_client_credentials connection.</param>
/// <param name="HealthCheckPath">The GET path below <paramref name="BaseUrl"/> that proves the credentials work; empty: the base URL itself.</param>
/// <param name="AccountIdPath">Where that answer names the account (a template path on data, e.g. data.id); null: the base URL's host is the account.</param>
/// <param name="ApiKeyHeader">The header an API key is sent in; null: <c>Authorization: Bearer &lt;key&gt;</c>.</param>
public sealed record ConnectionSettings(
    Uri? BaseUrl,
    Uri? TokenUrl = null,
    string? HealthCheckPath = null,
    string? AccountIdPath = null,
    string? AccountNamePath = null,
    string? ApiKeyHeader = null);

/// <summary>One problem with a connection's settings, named by its snake_case field (under <c>settings.</c>).</summary>
public sealed record SettingsProblem(string Field, string Code, string Message);

/// <summary>The pure rules of connection settings, and what a connection's endpoints are once they are applied.</summary>
public static class ConnectionEndpoints
{
    public const int MaxUrlLength = 2000;
    public const int MaxPathLength = 500;
    public const int MaxAccountIdLength = 200;

    /// <summary>Whether connections of this provider bring their own endpoints (it has no API base URL of its own).</summary>
    public static bool TakesSettings(ProviderDefinition provider) => provider.ApiBaseUrl is null;

    /// <summary>What is wrong with <paramref name="settings"/> for a connection of <paramref name="provider"/> authenticating with <paramref name="authKind"/>.</summary>
    public static IReadOnlyList<SettingsProblem> Check(ProviderDefinition provider, string authKind, ConnectionSettings? settings)
    {
        var problems = new List<SettingsProblem>();
        if (!TakesSettings(provider) && provider.SiteEndpoints is { } site && site.AuthKind == authKind)
        {
            CheckSite(provider, site, authKind, settings, problems);
            return problems;
        }
        if (!TakesSettings(provider))
        {
            if (settings is not null)
                problems.Add(new("settings", "settings_not_supported", $"Connections to {provider.Id} take their endpoints from the provider catalog; leave settings out."));
            return problems;
        }
        if (settings?.BaseUrl is null)
        {
            problems.Add(new("settings.base_url", "required", $"settings.base_url is required for a connection to {provider.Id}."));
            return problems;
        }
        CheckUrl(settings.BaseUrl, "settings.base_url", problems, allowQuery: false);
        if (authKind == AuthKinds.OAuth2ClientCredentials && provider.OAuth?.TokenUrl is null)
        {
            if (settings.TokenUrl is null) problems.Add(new("settings.token_url", "required", "settings.token_url is required for oauth2_client_credentials."));
            else CheckUrl(settings.TokenUrl, "settings.token_url", problems, allowQuery: false);
        }
        else if (settings.TokenUrl is not null)
        {
            problems.Add(new("settings.token_url", "not_applicable", "settings.token_url is only for oauth2_client_credentials connections."));
        }
        if (settings.HealthCheckPath is { } path && !IsRelativePath(path))
            problems.Add(new("settings.health_check_path", "invalid_path", $"settings.health_check_path is a path below base_url starting with '/', at most {MaxPathLength} characters."));
        CheckAccountPath(settings.AccountIdPath, "settings.account_id_path", problems);
        CheckAccountPath(settings.AccountNamePath, "settings.account_name_path", problems);
        if (settings.ApiKeyHeader is { } header && (authKind != AuthKinds.ApiKey || !IsHeaderName(header)))
        {
            problems.Add(authKind != AuthKinds.ApiKey
                ? new("settings.api_key_header", "not_applicable", "settings.api_key_header is only for api_key connections.")
                : new("settings.api_key_header", "invalid_header", "settings.api_key_header must be a header name (letters, digits and - only), not Host, Cookie or a Content- header."));
        }
        return problems;
    }

    /// <summary>
    /// Whether the connection is on a site it named (<see cref="ProviderDefinition.SiteEndpoints"/>): a catalog
    /// provider's connection with settings, which <see cref="Check"/> allows only for the site's auth kind.
    /// </summary>
    public static bool OnOwnSite(ProviderDefinition provider, ConnectionSettings? settings) =>
        provider.ApiBaseUrl is not null && provider.SiteEndpoints is not null && settings?.BaseUrl is not null;

    /// <summary>Whether the connection's endpoints are a tenant's (the http provider's, a named site): calls to them are SSRF-guarded.</summary>
    public static bool TenantNamed(ConnectionSettings? settings) => settings?.BaseUrl is not null;

    /// <summary>Where the connection's API is: the provider's, the site's API it named, or the connection's own.</summary>
    public static Uri? BaseUrl(ProviderDefinition provider, ConnectionSettings? settings) =>
        OnOwnSite(provider, settings) ? Below(settings!.BaseUrl!, provider.SiteEndpoints!.ApiPath) : provider.ApiBaseUrl ?? settings?.BaseUrl;

    /// <summary>
    /// Where a connected account's calls go: <see cref="BaseUrl(ProviderDefinition, ConnectionSettings?)"/>,
    /// or below it at the provider's <see cref="ProviderDefinition.AccountApiPath"/> with the account id
    /// percent-encoded into it (so an account id cannot add a path segment).
    /// </summary>
    public static Uri? BaseUrl(ProviderDefinition provider, ConnectionSettings? settings, string? accountId)
    {
        var root = BaseUrl(provider, settings);
        if (root is null || provider.AccountApiPath is not { } path || provider.ApiBaseUrl is null || OnOwnSite(provider, settings)) return root;
        if (string.IsNullOrEmpty(accountId)) return null;
        return Below(root, path.Replace("{account}", Uri.EscapeDataString(accountId), StringComparison.Ordinal));
    }

    /// <summary>The call that proves the connection works and names its account; null when it has none.</summary>
    public static HealthCheckCall? HealthCheck(ProviderDefinition provider, ConnectionSettings? settings) =>
        OnOwnSite(provider, settings) ? provider.SiteEndpoints!.HealthCheck : provider.HealthCheck ?? (settings?.BaseUrl is null ? null : new HealthCheckCall("GET", settings.HealthCheckPath ?? "", settings.AccountIdPath ?? "", settings.AccountNamePath));

    /// <summary>The absolute URL of <paramref name="path"/> below <paramref name="baseUrl"/> (which keeps its own path: https://h/v2 + /me is https://h/v2/me).</summary>
    public static Uri Below(Uri baseUrl, string path)
    {
        var root = baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri(root + (path.Length == 0 || path.StartsWith('/') ? path : "/" + path), UriKind.Absolute);
    }

    /// <summary>
    /// The account the answer of a health check names (its id and display name). An empty id path
    /// means the provider has no account in its answers: the account is then the API's host.
    /// </summary>
    /// <returns>Null when the answer does not name an account where the path says.</returns>
    public static ExternalAccount? ReadAccount(HealthCheckCall call, Uri baseUrl, JsonElement answer)
    {
        if (call.AccountIdPath.Length == 0) return new ExternalAccount(baseUrl.Authority, null);
        var id = Text(TemplatePath.Parse(call.AccountIdPath).Resolve(NoEvent, answer));
        if (id is null || id.Length > MaxAccountIdLength) return null;
        var name = call.AccountNamePath is { } namePath ? Text(TemplatePath.Parse(namePath).Resolve(NoEvent, answer)) : null;
        return new ExternalAccount(id, name is { Length: > MaxAccountIdLength } ? name[..MaxAccountIdLength] : name);
    }

    private static readonly TemplateEvent NoEvent = new(Guid.Empty, "", Guid.Empty, DateTimeOffset.UnixEpoch);

    private static string? Text(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.String } v when v.GetString() is { Length: > 0 } s => s,
        { ValueKind: JsonValueKind.Number } v => v.GetRawText(),
        _ => null,
    };

    private static void CheckUrl(Uri url, string field, List<SettingsProblem> problems, bool allowQuery)
    {
        var text = url.OriginalString;
        if (!url.IsAbsoluteUri || url.Scheme is not ("https" or "http") || url.UserInfo.Length > 0 || text.Length > MaxUrlLength
            || text.Contains('#', StringComparison.Ordinal) || (!allowQuery && url.Query.Length > 0))
            problems.Add(new(field, "invalid_url", $"{field} must be an absolute http(s) URL without credentials, query or fragment, at most {MaxUrlLength} characters."));
    }

    /// <summary>A connection naming its site: only <c>settings.site</c>, the site's root (no path, query or fragment) on an allowed host.</summary>
    private static void CheckSite(ProviderDefinition provider, SiteEndpoints site, string authKind, ConnectionSettings? settings, List<SettingsProblem> problems)
    {
        const string field = "settings.site";
        if (settings?.BaseUrl is not { } url)
        {
            problems.Add(new(field, "required", $"{field} is required for a {authKind} connection to {provider.Id}: the site's host or URL, e.g. acme.atlassian.net."));
            return;
        }
        if (settings with { BaseUrl = null } != new ConnectionSettings(null))
            problems.Add(new("settings", "not_applicable", $"A {authKind} connection to {provider.Id} takes only settings.site."));
        if (!url.IsAbsoluteUri || url.UserInfo.Length > 0 || url.AbsolutePath != "/" || url.Query.Length > 0 || url.OriginalString.Contains('#', StringComparison.Ordinal)
            || url.OriginalString.Length > MaxUrlLength)
            problems.Add(new(field, "invalid_site", $"{field} is the site's host or https URL without path, query, credentials or fragment, e.g. https://acme.atlassian.net."));
        else if (new EndpointKey(site.AllowedHosts).CheckOrigin(url, field, "the site's") is { } problem)
            problems.Add(problem);
    }

    private static bool IsRelativePath(string path) =>
        path.Length <= MaxPathLength && (path.Length == 0 || path[0] == '/' && !path.StartsWith("//", StringComparison.Ordinal))
        && !path.Contains('#', StringComparison.Ordinal) && !path.Any(char.IsControl) && !path.Contains(' ', StringComparison.Ordinal);

    private static void CheckAccountPath(string? path, string field, List<SettingsProblem> problems)
    {
        if (path is null) return;
        try
        {
            if (path.StartsWith("event.", StringComparison.Ordinal)) throw new DomainException("invalid_template", "not an event path");
            TemplatePath.Parse(path);
        }
        catch (DomainException)
        {
            problems.Add(new(field, "invalid_path", $"{field} is a path into the health check's answer, e.g. data.id or data.account.name."));
        }
    }

    private static bool IsHeaderName(string name) =>
        name.Length is > 0 and <= 100 && name.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-')
        && !name.Equals("Host", StringComparison.OrdinalIgnoreCase) && !name.Equals("Cookie", StringComparison.OrdinalIgnoreCase)
        && !name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) && !name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        && !name.Equals("Connection", StringComparison.OrdinalIgnoreCase);
}

/// <param name="Id">The provider's id of the account (Slack team, Jira cloud id, HubSpot portal…): the identity map's key with the provider.</param>
public sealed record ExternalAccount(string Id, string? Name);
