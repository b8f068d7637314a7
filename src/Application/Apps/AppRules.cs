using Integrations.Domain.Marketplace;
using FluentValidation;
using FluentValidation.Results;
using Integrations.Application.Common.Behaviours;
using Integrations.Application.OAuth;

namespace Integrations.Application.Apps;

/// <summary>
/// What an app's registration and its patches must satisfy (docs/oauth.md#apps). Failures name the
/// API field verbatim (e.g. <c>redirect_uris[1]</c>) with the same codes the API always used.
/// </summary>
public static class AppRules
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 2000;
    public const int MaxRedirectUris = 10;
    public const int MaxScreenshots = 8;
    public const int MaxUrlLength = 2000;

    public static bool IsHttpsUrl(string value) => Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && value.Length <= MaxUrlLength;

    /// <summary>RFC 9700 §2.1 / RFC 8252 §7.3: https, or http on a loopback host; never a fragment.</summary>
    public static bool IsAllowedRedirect(string? value)
    {
        if (value is null || value.Length > MaxUrlLength || !Uri.TryCreate(value, UriKind.Absolute, out var uri) || value.Contains('#', StringComparison.Ordinal)) return false;
        if (!string.IsNullOrEmpty(uri.UserInfo)) return false;
        if (uri.Scheme == Uri.UriSchemeHttps) return true;
        return uri.Scheme == Uri.UriSchemeHttp && (uri.Host is "127.0.0.1" or "[::1]" or "localhost" || uri.IsLoopback && uri.HostNameType == UriHostNameType.IPv6);
    }

    public static ValidationFailure Failure(string field, string code, string message) =>
        new(field, message) { ErrorCode = code, CustomState = FieldNames.Verbatim };

    public static IRuleBuilderOptionsConditions<T, string?> AppName<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Custom((name, context) =>
        {
            if ((name?.Trim() ?? "").Length is 0 or > MaxNameLength) context.AddFailure(Failure("name", "invalid_name", $"name is required, 1–{MaxNameLength} characters."));
        });

    public static IRuleBuilderOptionsConditions<T, string?> AppDescription<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Custom((description, context) =>
        {
            if ((description?.Trim() ?? "").Length > MaxDescriptionLength)
                context.AddFailure(Failure("description", "too_long", $"description is at most {MaxDescriptionLength} characters."));
        });

    public static IRuleBuilderOptionsConditions<T, string?> AppCategory<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Custom((category, context) =>
        {
            if (category is not null && !AppCategories.IsKnown(category))
                context.AddFailure(Failure("category", "invalid_category", $"category is one of {string.Join(", ", AppCategories.All)}."));
        });

    /// <summary>An https URL; <paramref name="emptyRemoves"/> lets a patch send "" (JSON null) to remove it.</summary>
    public static IRuleBuilderOptionsConditions<T, string?> HttpsUrl<T>(this IRuleBuilder<T, string?> rule, string field, bool emptyRemoves = false) =>
        rule.Custom((url, context) =>
        {
            if (url is null || (emptyRemoves && url.Length == 0)) return;
            if (!IsHttpsUrl(url)) context.AddFailure(Failure(field, "invalid_url", $"{field} must be an https URL."));
        });

    public static IRuleBuilderOptionsConditions<T, IReadOnlyList<string>?> ScreenshotUrls<T>(this IRuleBuilder<T, IReadOnlyList<string>?> rule) =>
        rule.Custom((urls, context) =>
        {
            if (urls is null) return;
            if (urls.Count > MaxScreenshots) context.AddFailure(Failure("screenshot_urls", "too_many", $"At most {MaxScreenshots} screenshots."));
            for (var i = 0; i < urls.Count; i++)
                if (urls[i] is null || !IsHttpsUrl(urls[i]))
                    context.AddFailure(Failure($"screenshot_urls[{i}]", "invalid_url", "A screenshot URL must be an https URL."));
        });

    public static IRuleBuilderOptionsConditions<T, IReadOnlyList<string>?> RedirectUris<T>(this IRuleBuilder<T, IReadOnlyList<string>?> rule) =>
        rule.Custom((redirects, context) =>
        {
            redirects ??= [];
            if (redirects.Count is 0 or > MaxRedirectUris)
                context.AddFailure(Failure("redirect_uris", "invalid_redirect_uris", $"1–{MaxRedirectUris} redirect URIs are required."));
            for (var i = 0; i < redirects.Count; i++)
                if (!IsAllowedRedirect(redirects[i]))
                    context.AddFailure(Failure($"redirect_uris[{i}]", "invalid_redirect_uri",
                        "A redirect URI is absolute, without fragment, and https (http only on 127.0.0.1, [::1] or localhost)."));
        });

    public static IRuleBuilderOptionsConditions<T, IReadOnlyList<string>?> DeclaredScopes<T>(this IRuleBuilder<T, IReadOnlyList<string>?> rule) =>
        rule.Custom((scopes, context) =>
        {
            scopes ??= [];
            if (scopes.Count == 0) context.AddFailure(Failure("scopes", "required", "Declare at least one scope."));
            foreach (var s in scopes.Where(s => s is null || !OAuthScopes.Catalogue.ContainsKey(s)))
                context.AddFailure(Failure("scopes", "unknown_scope", $"Unknown scope '{s}'. Known: {string.Join(", ", OAuthScopes.Catalogue.Keys)}."));
        });

    public static string[] Distinct(IEnumerable<string> values) => values.Distinct(StringComparer.Ordinal).ToArray();
}
