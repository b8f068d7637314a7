using System.Net;
using System.Net.Sockets;

namespace Integrations.Domain.Webhooks;

/// <summary>Where an IP address points, as far as sending a webhook to it is concerned.</summary>
public enum AddressRange
{
    Public,
    Unspecified,
    Loopback,
    Private,
    LinkLocal,
    SharedAddressSpace,
    Multicast,
    Reserved,
}

/// <summary>
/// The SSRF rule as a pure function over an address, so that registration (after DNS resolution)
/// and the dispatcher (on the address it actually connects to) apply exactly the same rule.
/// Anything that is not plainly a public unicast address is refused; IPv6 forms that embed an IPv4
/// address (mapped, compatible, NAT64, 6to4) are judged by the embedded address, because that is
/// where the packets end up.
/// </summary>
public static class NetworkAddressPolicy
{
    public static bool IsPublic(IPAddress address) => Classify(address) == AddressRange.Public;

    public static AddressRange Classify(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => ClassifyV4(address.GetAddressBytes()),
        AddressFamily.InterNetworkV6 => ClassifyV6(address),
        _ => AddressRange.Reserved,
    };

    private static AddressRange ClassifyV4(byte[] b) => b switch
    {
        [0, 0, 0, 0] => AddressRange.Unspecified,
        [0, ..] => AddressRange.Reserved,                             // 0.0.0.0/8 "this network": Linux routes it to the local host
        [127, ..] => AddressRange.Loopback,
        [10, ..] => AddressRange.Private,
        [172, >= 16 and <= 31, ..] => AddressRange.Private,
        [192, 168, ..] => AddressRange.Private,
        [169, 254, ..] => AddressRange.LinkLocal,                     // includes 169.254.169.254, the cloud metadata service
        [100, >= 64 and <= 127, ..] => AddressRange.SharedAddressSpace, // carrier-grade NAT, 100.64.0.0/10
        [192, 0, 0, _] => AddressRange.Reserved,                      // IETF protocol assignments
        [198, 18 or 19, ..] => AddressRange.Reserved,                 // benchmarking networks
        // Documentation (TEST-NET-1/2/3, RFC 5737): not globally reachable, yet a network may use them
        // inside (the reliability suite found this machine's own address, 192.0.2.2, reachable).
        [192, 0, 2, _] or [198, 51, 100, _] or [203, 0, 113, _] => AddressRange.Reserved,
        [>= 224 and <= 239, ..] => AddressRange.Multicast,
        [>= 240, ..] => AddressRange.Reserved,                        // 240.0.0.0/4 and the broadcast address
        _ => AddressRange.Public,
    };

    private static AddressRange ClassifyV6(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return ClassifyV4(address.MapToIPv4().GetAddressBytes());
        var b = address.GetAddressBytes();
        if (b.All(x => x == 0)) return AddressRange.Unspecified;
        if (address.Equals(IPAddress.IPv6Loopback)) return AddressRange.Loopback;
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0) return ClassifyV4(b[12..]);          // ::a.b.c.d, IPv4-compatible (deprecated)
        if (b is [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, ..]) return ClassifyV4(b[12..]); // 64:ff9b::/96, NAT64
        if (b is [0x20, 0x02, ..]) return ClassifyV4(b[2..6]);                                    // 2002::/16, 6to4
        return b switch
        {
            [0xff, ..] => AddressRange.Multicast,
            [>= 0xfc and <= 0xfd, ..] => AddressRange.Private,                  // fc00::/7 unique local
            [0xfe, >= 0x80 and <= 0xbf, ..] => AddressRange.LinkLocal,          // fe80::/10
            [0xfe, >= 0xc0, ..] => AddressRange.Private,                        // fec0::/10 site-local (deprecated, still routable inside sites)
            [0x20, 0x01, 0x0d, 0xb8, ..] => AddressRange.Reserved,              // 2001:db8::/32 documentation
            [0x01, 0x00, 0, 0, 0, 0, 0, 0, ..] => AddressRange.Reserved,        // 100::/64 discard-only
            _ => AddressRange.Public,
        };
    }
}
