using System.Security.Cryptography;
using System.Text;

namespace Integrations.Domain.Connections;

/// <summary>
/// For providers whose API key is the endpoint itself: a Teams Workflows webhook URL carries its
/// secret (<c>sig</c>) in the query, so the whole URL is the credential (kept in the vault, never
/// shown). It must be https on one of the provider's allowed hosts (a pattern <c>*.logic.azure.com</c>
/// matches any name below that domain, never the domain alone or a look-alike). An entry that is an
/// origin (<c>http://127.0.0.1:5080</c>) allows exactly that origin, also over http: for a local
/// stand-in of the provider in tests and sandboxes, never for production hosts. Pure.
/// </summary>
/// <param name="AllowedHosts">Host names, <c>*.</c> patterns (compared without case), or origins.</param>
public sealed record EndpointKey(IReadOnlyList<string> AllowedHosts)
{
    public const int MaxLength = 2000;

    /// <summary>Why the URL cannot be the endpoint, or null when it can.</summary>
    public SettingsProblem? Check(string? key)
    {
        const string field = "credentials.api_key";
        if (key is null || key.Length > MaxLength || !Uri.TryCreate(key, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http")
            || url.UserInfo.Length > 0 || key.Contains('#', StringComparison.Ordinal))
            return new(field, "invalid_url", $"{field} is the endpoint's https URL (without credentials or fragment), at most {MaxLength} characters.");
        return CheckOrigin(url, field, "the endpoint's");
    }

    /// <summary>Why <paramref name="url"/>'s origin is not allowed (https on port 443 on an allowed host, or an allowed origin), or null.</summary>
    /// <param name="whose">Names the URL in the message ("the endpoint's", "the site's").</param>
    public SettingsProblem? CheckOrigin(Uri url, string field, string whose)
    {
        if (AllowedHosts.Any(entry => entry.Contains("://", StringComparison.Ordinal)
                && string.Equals(entry.TrimEnd('/'), url.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase)))
            return null;
        if (url.Scheme != "https" || url.Port != 443)
            return new(field, "invalid_url", $"{field} is {whose} https URL on port 443.");
        if (!Allows(url.IdnHost))
            return new(field, "host_not_allowed", $"{field} must be on one of the provider's hosts: {string.Join(", ", AllowedHosts)}.");
        return null;
    }

    public bool Allows(string host) => AllowedHosts.Where(entry => !entry.Contains("://", StringComparison.Ordinal)).Any(pattern => pattern.StartsWith("*.", StringComparison.Ordinal)
        ? host.Length > pattern.Length - 1 && host.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase)
        : host.Equals(pattern, StringComparison.OrdinalIgnoreCase));

    /// <summary>Where calls go: the URL without its query (the query, with the signature, is sent as credentials).</summary>
    public static Uri BaseOf(string key) => new(new Uri(key, UriKind.Absolute).GetLeftPart(UriPartial.Path), UriKind.Absolute);

    /// <summary>The query parameters (api-version, sp, sv, sig …) in their order, decoded.</summary>
    public static IReadOnlyDictionary<string, string> QueryOf(string key)
    {
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in new Uri(key, UriKind.Absolute).Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = pair.IndexOf('=');
            var name = Uri.UnescapeDataString((at < 0 ? pair : pair[..at]).Replace('+', ' '));
            query[name] = at < 0 ? "" : Uri.UnescapeDataString(pair[(at + 1)..].Replace('+', ' '));
        }
        return query;
    }

    /// <summary>
    /// The account the URL reaches without a call (a POST would post a message): the workflow's id
    /// (the path segment after <c>workflows</c>), else a digest of the path; the host as its name.
    /// Never the query, which holds the secret.
    /// </summary>
    public static ExternalAccount Account(string key)
    {
        var url = new Uri(key, UriKind.Absolute);
        var segments = url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.FindIndex(segments, s => s.Equals("workflows", StringComparison.OrdinalIgnoreCase));
        var id = at >= 0 && at + 1 < segments.Length && segments[at + 1].Length <= 100
            ? segments[at + 1]
            : "path-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url.IdnHost + url.AbsolutePath)))[..32];
        return new ExternalAccount(id, url.IdnHost);
    }
}
