using System.Net;
using Integrations.Domain.Webhooks;
using Shouldly;

namespace Integrations.Domain.UnitTests.Webhooks;

public class NetworkAddressPolicyTests
{
    [Theory]
    [InlineData("0.0.0.0", AddressRange.Unspecified)]
    [InlineData("::", AddressRange.Unspecified)]
    [InlineData("0.1.2.3", AddressRange.Reserved)]
    [InlineData("127.0.0.1", AddressRange.Loopback)]
    [InlineData("127.255.255.254", AddressRange.Loopback)]
    [InlineData("::1", AddressRange.Loopback)]
    [InlineData("10.0.0.1", AddressRange.Private)]
    [InlineData("10.255.255.255", AddressRange.Private)]
    [InlineData("172.16.0.1", AddressRange.Private)]
    [InlineData("172.31.255.255", AddressRange.Private)]
    [InlineData("192.168.1.1", AddressRange.Private)]
    [InlineData("fc00::1", AddressRange.Private)]
    [InlineData("fd12:3456:789a::1", AddressRange.Private)]
    [InlineData("fec0::1", AddressRange.Private)]
    [InlineData("169.254.169.254", AddressRange.LinkLocal)]
    [InlineData("169.254.0.1", AddressRange.LinkLocal)]
    [InlineData("fe80::1", AddressRange.LinkLocal)]
    [InlineData("febf::1", AddressRange.LinkLocal)]
    [InlineData("100.64.0.1", AddressRange.SharedAddressSpace)]
    [InlineData("100.127.255.255", AddressRange.SharedAddressSpace)]
    [InlineData("224.0.0.1", AddressRange.Multicast)]
    [InlineData("239.255.255.250", AddressRange.Multicast)]
    [InlineData("ff02::1", AddressRange.Multicast)]
    [InlineData("255.255.255.255", AddressRange.Reserved)]
    [InlineData("240.0.0.1", AddressRange.Reserved)]
    [InlineData("192.0.0.8", AddressRange.Reserved)]
    [InlineData("198.18.0.1", AddressRange.Reserved)]
    [InlineData("192.0.2.2", AddressRange.Reserved)]
    [InlineData("198.51.100.7", AddressRange.Reserved)]
    [InlineData("203.0.113.255", AddressRange.Reserved)]
    [InlineData("::ffff:192.0.2.2", AddressRange.Reserved)]
    [InlineData("2001:db8::1", AddressRange.Reserved)]
    public void Non_public_ranges_are_classified(string address, AddressRange expected)
    {
        NetworkAddressPolicy.Classify(IPAddress.Parse(address)).ShouldBe(expected);
        NetworkAddressPolicy.IsPublic(IPAddress.Parse(address)).ShouldBeFalse();
    }

    [Theory]
    [InlineData("::ffff:127.0.0.1", AddressRange.Loopback)]
    [InlineData("::ffff:7f00:1", AddressRange.Loopback)]
    [InlineData("::ffff:169.254.169.254", AddressRange.LinkLocal)]
    [InlineData("::ffff:10.1.2.3", AddressRange.Private)]
    [InlineData("::127.0.0.1", AddressRange.Loopback)]
    [InlineData("64:ff9b::a9fe:a9fe", AddressRange.LinkLocal)]
    [InlineData("2002:7f00:1::", AddressRange.Loopback)]
    [InlineData("2002:c0a8:101::1", AddressRange.Private)]
    public void IPv6_forms_that_embed_an_IPv4_address_are_judged_by_it(string address, AddressRange expected)
    {
        NetworkAddressPolicy.Classify(IPAddress.Parse(address)).ShouldBe(expected);
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("169.253.255.255")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:81d::200e")]
    [InlineData("::ffff:93.184.216.34")]
    [InlineData("2002:5db8:d822::1")]
    public void Public_addresses_are_public(string address)
    {
        NetworkAddressPolicy.IsPublic(IPAddress.Parse(address)).ShouldBeTrue();
    }
}
