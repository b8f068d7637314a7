using System.Globalization;
using Integrations.Domain.Connections;
using Integrations.Domain.Connectors;
using Integrations.Domain.Inbound;
using Microsoft.Extensions.Configuration;

namespace Integrations.Infrastructure.Providers;

/// <summary>Reads one provider's configuration section over its built-in definition (docs/configuration.md, Providers).</summary>
internal static class ProviderSettings
{
    public static ProviderDefinition Read(ProviderDefinition? builtIn, string id, IConfigurationSection s)
    {
        string Where(string key) => $"{ProviderCatalog.Section}:{id}:{key}";
        var authKinds = List(s, "AuthKinds") ?? List(s, "AuthKind") ?? builtIn?.AuthKinds
            ?? throw new InvalidOperationException($"{Where("AuthKind")} is required for a provider defined in configuration ({string.Join(", ", AuthKinds.All)}).");
        if (authKinds.Count == 0 || authKinds.Any(k => !AuthKinds.All.Contains(k)))
            throw new InvalidOperationException($"{Where("AuthKind")} must be one of {string.Join(", ", AuthKinds.All)}.");

        var apiBase = Url(s, "ApiBaseUrl", Where) ?? builtIn?.ApiBaseUrl;
        if (apiBase is null && builtIn is null)
            throw new InvalidOperationException($"{Where("ApiBaseUrl")} is required for a provider defined in configuration.");
        // A built-in client-credentials provider (the Teams bot) may have its token endpoint moved too.
        var oauth = authKinds.Contains(AuthKinds.OAuth2Code) || builtIn?.OAuth is not null && authKinds.Contains(AuthKinds.OAuth2ClientCredentials)
            ? OAuth(builtIn?.OAuth, s, Where, authKinds.Contains(AuthKinds.OAuth2Code))
            : builtIn?.OAuth;
        return new ProviderDefinition(
            id,
            s["DisplayName"] ?? builtIn?.DisplayName ?? id,
            authKinds,
            apiBase,
            oauth,
            HealthCheck(builtIn?.HealthCheck, s.GetSection("HealthCheck"), Where),
            Limits(builtIn?.Limits ?? CallLimits.Default, s, Where),
            List(s, "Actions") ?? builtIn?.Actions ?? [Http.HttpProvider.RequestAction])
        {
            ApiKeyHeader = s["ApiKeyHeader"] is { Length: > 0 } header ? header : builtIn?.ApiKeyHeader,
            Inbound = Inbound(builtIn?.Inbound, s.GetSection("Inbound"), Where),
            BodyErrors = builtIn?.BodyErrors,
            AccountApiPath = s["AccountApiPath"] is { Length: > 0 } accountPath
                ? accountPath.StartsWith('/') && accountPath.Contains("{account}", StringComparison.Ordinal) ? accountPath
                    : throw new InvalidOperationException($"{Where("AccountApiPath")} is a path starting with / that names {{account}}.")
                : builtIn?.AccountApiPath,
            KeyIsEndpoint = builtIn?.KeyIsEndpoint is { } endpoint ? new EndpointKey(List(s, "AllowedHosts") ?? endpoint.AllowedHosts) : null,
            AccountIsClientId = builtIn?.AccountIsClientId ?? false,
            ServiceUrlHosts = builtIn?.ServiceUrlHosts is { } serviceUrls ? new EndpointKey(List(s, "ServiceUrlHosts") ?? serviceUrls.AllowedHosts) : null,
            SiteEndpoints = builtIn?.SiteEndpoints is { } site ? site with { AllowedHosts = List(s, "SiteHosts") ?? site.AllowedHosts } : null,
        };
    }

    private static OAuthSettings OAuth(OAuthSettings? builtIn, IConfigurationSection s, Func<string, string> where, bool codeFlow)
    {
        var token = Url(s, "TokenUrl", where) ?? builtIn?.TokenUrl ?? throw new InvalidOperationException($"{where("TokenUrl")} is required for OAuth.");
        var authorize = Url(s, "AuthorizeUrl", where) ?? builtIn?.AuthorizeUrl
            ?? (codeFlow ? throw new InvalidOperationException($"{where("AuthorizeUrl")} is required for oauth2_code.") : null);
        var settings = new OAuthSettings(
            authorize,
            token,
            Url(s, "RevokeUrl", where) ?? builtIn?.RevokeUrl,
            List(s, "Scopes") ?? builtIn?.DefaultScopes ?? [],
            s["ScopeSeparator"] ?? builtIn?.ScopeSeparator ?? " ",
            Bool(s, "Pkce", where) ?? builtIn?.Pkce ?? true,
            Enum(s, "ClientAuthentication", where, builtIn?.ClientAuthentication ?? ClientAuthentication.Basic,
                ("basic", ClientAuthentication.Basic), ("post", ClientAuthentication.Post)),
            Enum(s, "RefreshTokens", where, builtIn?.RefreshTokens ?? RefreshTokenBehaviour.Reusable,
                ("none", RefreshTokenBehaviour.None), ("reusable", RefreshTokenBehaviour.Reusable), ("rotating", RefreshTokenBehaviour.Rotating),
                ("single_use", RefreshTokenBehaviour.SingleUse)),
            Duration(s, "ExpiryBuffer", where) ?? builtIn?.ExpiryBuffer ?? TokenPolicy.DefaultExpiryBuffer)
        {
            Revocation = Enum(s, "Revocation", where, builtIn?.Revocation ?? RevocationStyle.Rfc7009,
                ("rfc7009", RevocationStyle.Rfc7009), ("bearer", RevocationStyle.BearerToken)),
            RefreshWindow = Duration(s, "RefreshWindow", where) ?? builtIn?.RefreshWindow,
        };
        // A buffer wider than the window would have the runtime ask for refreshes the provider refuses.
        return settings.RefreshWindow is { } window && window < settings.ExpiryBuffer
            ? throw new InvalidOperationException($"{where("RefreshWindow")} must be at least {where("ExpiryBuffer")}: the provider refuses refreshes before its window.")
            : settings;
    }

    /// <summary>Providers:&lt;id&gt;:Inbound:Verifier and :AccountIdPath; the secret (and a basic-auth user) are read by the catalog, never kept in the definition.</summary>
    private static InboundSettings? Inbound(InboundSettings? builtIn, IConfigurationSection s, Func<string, string> where)
    {
        if (!s.Exists()) return builtIn;
        var verifier = s["Verifier"] ?? builtIn?.Verifier ?? throw new InvalidOperationException($"{where("Inbound:Verifier")} is required with Inbound.");
        if (!InboundVerifiers.ProviderKinds.Contains(verifier))
            throw new InvalidOperationException($"{where("Inbound:Verifier")} must be one of {string.Join(", ", InboundVerifiers.ProviderKinds)}.");
        var accountPath = s["AccountIdPath"] ?? builtIn?.AccountIdPath
            ?? throw new InvalidOperationException($"{where("Inbound:AccountIdPath")} is required: inbound traffic is routed to tenants by the account it names.");
        if (s["Secret"] is not { Length: > 0 }) throw new InvalidOperationException($"{where("Inbound:Secret")} is required with Inbound (the signing secret, client secret or password).");
        return new InboundSettings(verifier, accountPath);
    }

    private static HealthCheckCall? HealthCheck(HealthCheckCall? builtIn, IConfigurationSection s, Func<string, string> where)
    {
        if (!s.Exists()) return builtIn;
        var path = s["Path"] ?? builtIn?.Path ?? throw new InvalidOperationException($"{where("HealthCheck:Path")} is required with a health check.");
        var accountId = s["AccountIdPath"] ?? builtIn?.AccountIdPath
            ?? throw new InvalidOperationException($"{where("HealthCheck:AccountIdPath")} is required: the account a connection belongs to comes from the provider.");
        foreach (var (key, value) in new[] { ("AccountIdPath", accountId), ("AccountNamePath", s["AccountNamePath"] ?? builtIn?.AccountNamePath) })
        {
            if (value is null) continue;
            try
            {
                TemplatePath.Parse(value);
            }
            catch (Domain.Common.DomainException e)
            {
                throw new InvalidOperationException($"{where("HealthCheck:" + key)}: {e.Message}");
            }
        }
        return new HealthCheckCall((s["Method"] ?? builtIn?.Method ?? "GET").ToUpperInvariant(), path, accountId, s["AccountNamePath"] ?? builtIn?.AccountNamePath);
    }

    private static CallLimits Limits(CallLimits builtIn, IConfigurationSection s, Func<string, string> where)
    {
        var rate = s.GetSection("RateLimit");
        var headers = rate.Exists()
            ? new RateLimitHeaders(rate["RemainingHeader"] ?? builtIn.Headers.Remaining, rate["ResetHeader"] ?? builtIn.Headers.Reset,
                Enum(rate, "ResetFormat", where, builtIn.Headers.ResetFormat, ("seconds", ResetFormat.SecondsFromNow), ("epoch_seconds", ResetFormat.EpochSeconds),
                    ("epoch_milliseconds", ResetFormat.EpochMilliseconds), ("milliseconds", ResetFormat.MillisecondsFromNow), ("iso8601", ResetFormat.Iso8601)))
            : builtIn.Headers;
        var quotas = s.GetSection("Quotas");
        var perConnection = builtIn.QuotasPerConnection;
        var perProvider = builtIn.QuotasPerProvider;
        if (quotas.Exists())
        {
            var read = quotas.GetChildren().Select(q =>
            {
                string At(string key) => where($"Quotas:{q.Key}:{key}");
                var limit = Positive(q, "Limit", At) ?? throw new InvalidOperationException($"{At("Limit")} is required.");
                var period = Duration(q, "Period", At) ?? throw new InvalidOperationException($"{At("Period")} is required (e.g. 00:01:00).");
                var per = q["Per"] ?? "connection";
                if (per is not ("connection" or "provider")) throw new InvalidOperationException($"{At("Per")} is connection or provider.");
                return (Quota: new Quota(limit, period), Per: per);
            }).ToList();
            perConnection = read.Where(q => q.Per == "connection").Select(q => q.Quota).ToList();
            perProvider = read.Where(q => q.Per == "provider").Select(q => q.Quota).ToList();
        }
        return new CallLimits(headers, perConnection, perProvider,
            Positive(s, "MaxConcurrentPerConnection", where) ?? builtIn.MaxConcurrentPerConnection,
            Positive(s, "MaxConcurrentPerProvider", where) ?? builtIn.MaxConcurrentPerProvider)
        {
            KeySpacing = Duration(s, "KeySpacing", where) ?? builtIn.KeySpacing,
            DayHeaders = builtIn.DayHeaders,
        };
    }

    private static IReadOnlyList<string>? List(IConfigurationSection s, string key)
    {
        var section = s.GetSection(key);
        if (section.Value is { } text) return text.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);
        var items = section.GetChildren().Select(c => c.Value).OfType<string>().ToList();
        return items.Count > 0 ? items : null;
    }

    private static Uri? Url(IConfigurationSection s, string key, Func<string, string> where)
    {
        if (s[key] is not { Length: > 0 } text) return null;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.UserInfo.Length == 0
            ? uri
            : throw new InvalidOperationException($"{where(key)} must be an absolute http(s) URL without credentials.");
    }

    private static bool? Bool(IConfigurationSection s, string key, Func<string, string> where) => s[key] switch
    {
        null => null,
        var v when bool.TryParse(v, out var b) => b,
        _ => throw new InvalidOperationException($"{where(key)} must be true or false."),
    };

    private static int? Positive(IConfigurationSection s, string key, Func<string, string> where) => s[key] switch
    {
        null => null,
        var v when int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 => n,
        _ => throw new InvalidOperationException($"{where(key)} must be a positive whole number."),
    };

    private static TimeSpan? Duration(IConfigurationSection s, string key, Func<string, string> where) => s[key] switch
    {
        null => null,
        var v when TimeSpan.TryParse(v, CultureInfo.InvariantCulture, out var d) && d > TimeSpan.Zero => d,
        _ => throw new InvalidOperationException($"{where(key)} must be a positive duration (hh:mm:ss)."),
    };

    private static T Enum<T>(IConfigurationSection s, string key, Func<string, string> where, T fallback, params (string Name, T Value)[] values)
    {
        if (s[key] is not { } text) return fallback;
        foreach (var (name, value) in values)
            if (name == text) return value;
        throw new InvalidOperationException($"{where(key)} must be one of {string.Join(", ", values.Select(v => v.Name))}.");
    }
}
