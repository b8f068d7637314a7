using System.Net;

namespace Integrations.Domain.Webhooks;

/// <summary>Why a webhook URL was refused; <see cref="Code"/> is the API's detail code.</summary>
public sealed record UrlRefusal(string Code, string Message);

/// <summary>
/// What a webhook target URL may look like and point at, as far as it can be decided without a
/// network: the syntax, literal IP addresses and names that only mean something inside a network.
/// Resolving a name and judging its addresses (<see cref="CheckAddresses"/>) is left to the caller.
/// </summary>
public static class WebhookUrlPolicy
{
    public const int MaxLength = 2048;
    public const string InvalidUrl = "invalid_url";
    public const string UnsafeUrl = "unsafe_url";
    public const string UnresolvableUrl = "unresolvable_url";

    // Suffixes reserved for names inside a site or a host (RFC 6761, RFC 6762, RFC 8375, ICANN's .internal).
    private static readonly string[] InternalSuffixes = [".localhost", ".local", ".internal", ".home.arpa"];

    /// <summary>Absolute http(s), no user info, at most <see cref="MaxLength"/> characters.</summary>
    public static UrlRefusal? CheckSyntax(string? url, out Uri? uri)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(url) || url.Length > MaxLength || !Uri.TryCreate(url, UriKind.Absolute, out var parsed))
            return new UrlRefusal(InvalidUrl, $"url must be an absolute http or https URL of at most {MaxLength} characters.");
        if (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp)
            return new UrlRefusal(InvalidUrl, "url must use http or https.");
        // Credentials in a URL end up in logs and delivery records; receivers authenticate by signature.
        if (parsed.UserInfo.Length > 0)
            return new UrlRefusal(InvalidUrl, "url must not contain user info (user:password@).");
        if (Host(parsed).Length == 0)
            return new UrlRefusal(InvalidUrl, "url must name a host.");
        uri = parsed;
        return null;
    }

    /// <summary>
    /// The host as the network sees it: .NET's parser already normalises decimal, octal and hex IPv4
    /// forms (2130706433, 0177.0.0.1, 0x7f.1) to dotted decimal; a trailing root dot is dropped.
    /// </summary>
    public static string Host(Uri uri) => uri.IdnHost.Trim('[', ']').TrimEnd('.').ToLowerInvariant();

    /// <summary>The IP literal the URL names, if it names one rather than a host name.</summary>
    public static IPAddress? LiteralAddress(Uri uri)
    {
        var host = Host(uri);
        // A zone index ("%25eth0") only makes sense on the sender's own links.
        var zone = host.IndexOf('%', StringComparison.Ordinal);
        return IPAddress.TryParse(zone >= 0 ? host[..zone] : host, out var address) ? address : null;
    }

    /// <summary>Refuses literal addresses that are not public and names that only resolve inside a network.</summary>
    public static UrlRefusal? CheckHost(Uri uri)
    {
        if (LiteralAddress(uri) is { } literal) return CheckAddresses([literal]);
        var host = Host(uri);
        if (host == "localhost" || InternalSuffixes.Any(s => host.EndsWith(s, StringComparison.Ordinal)))
            return new UrlRefusal(UnsafeUrl, $"url's host '{host}' is an internal name; use a publicly reachable host.");
        // Single labels resolve through the resolver's search domains, i.e. inside the platform's network.
        if (!host.Contains('.', StringComparison.Ordinal))
            return new UrlRefusal(UnsafeUrl, $"url's host '{host}' is not a fully qualified domain name.");
        return null;
    }

    /// <summary>Every address must be public: one private record among public ones is enough to refuse.</summary>
    public static UrlRefusal? CheckAddresses(IReadOnlyCollection<IPAddress> addresses)
    {
        if (addresses.Count == 0) return new UrlRefusal(UnresolvableUrl, "url's host does not resolve to any address.");
        var blocked = addresses.FirstOrDefault(a => !NetworkAddressPolicy.IsPublic(a));
        return blocked is null
            ? null
            : new UrlRefusal(UnsafeUrl, $"url points to {blocked} ({Describe(NetworkAddressPolicy.Classify(blocked))}), which webhooks may not reach.");
    }

    private static string Describe(AddressRange range) => range switch
    {
        AddressRange.Unspecified => "an unspecified address",
        AddressRange.Loopback => "a loopback address",
        AddressRange.Private => "a private network address",
        AddressRange.LinkLocal => "a link-local address, such as the cloud metadata service",
        AddressRange.SharedAddressSpace => "carrier-grade NAT space",
        AddressRange.Multicast => "a multicast address",
        _ => "a reserved address",
    };
}
