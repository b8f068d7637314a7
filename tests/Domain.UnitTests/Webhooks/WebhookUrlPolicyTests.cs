using System.Net;
using Integrations.Domain.Webhooks;
using Shouldly;

namespace Integrations.Domain.UnitTests.Webhooks;

public class WebhookUrlPolicyTests
{
    [Theory]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("/relative/path")]
    [InlineData("ftp://files.example.com/hook")]
    [InlineData("file:///etc/passwd")]
    [InlineData("gopher://example.com/")]
    [InlineData("https://user:secret@example.com/hook")]
    [InlineData("https://user@example.com/hook")]
    public void Anything_but_an_absolute_http_url_without_credentials_is_invalid(string url)
    {
        WebhookUrlPolicy.CheckSyntax(url, out var uri)!.Code.ShouldBe(WebhookUrlPolicy.InvalidUrl);
        uri.ShouldBeNull();
    }

    [Fact]
    public void Urls_longer_than_2048_characters_are_invalid()
    {
        var path = new string('a', WebhookUrlPolicy.MaxLength);
        WebhookUrlPolicy.CheckSyntax("https://example.com/" + path, out _)!.Code.ShouldBe(WebhookUrlPolicy.InvalidUrl);
        WebhookUrlPolicy.CheckSyntax("https://example.com/" + path[..(WebhookUrlPolicy.MaxLength - 20)], out _).ShouldBeNull();
    }

    [Theory]
    [InlineData("http://127.0.0.1/hook")]
    [InlineData("http://2130706433/")]
    [InlineData("http://0177.0.0.1/")]
    [InlineData("http://0x7f.1/")]
    [InlineData("http://0x7f000001/")]
    [InlineData("http://127.1/")]
    [InlineData("http://017700000001/")]
    [InlineData("http://0/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://[::ffff:127.0.0.1]/")]
    [InlineData("http://[::ffff:7f00:1]/")]
    [InlineData("http://[fe80::1%25eth0]/")]
    [InlineData("http://10.0.0.5:8080/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://100.100.100.200/")]
    [InlineData("https://192.168.0.1./hook")]
    public void Literal_addresses_that_are_not_public_are_unsafe_whatever_their_spelling(string url)
    {
        WebhookUrlPolicy.CheckSyntax(url, out var uri).ShouldBeNull();
        WebhookUrlPolicy.CheckHost(uri!)!.Code.ShouldBe(WebhookUrlPolicy.UnsafeUrl);
    }

    [Theory]
    [InlineData("http://localhost/hook")]
    [InlineData("http://LOCALHOST./hook")]
    [InlineData("http://api.localhost/hook")]
    [InlineData("http://metadata.google.internal/computeMetadata/v1/")]
    [InlineData("http://printer.local/")]
    [InlineData("http://router.home.arpa/")]
    [InlineData("http://metadata/")]
    [InlineData("http://kubernetes:443/")]
    public void Internal_host_names_are_unsafe(string url)
    {
        WebhookUrlPolicy.CheckSyntax(url, out var uri).ShouldBeNull();
        WebhookUrlPolicy.CheckHost(uri!)!.Code.ShouldBe(WebhookUrlPolicy.UnsafeUrl);
    }

    [Theory]
    [InlineData("https://93.184.216.34/hook")]
    [InlineData("https://[2606:4700:4700::1111]/hook")]
    [InlineData("https://hooks.example.com/integrations?x=1")]
    [InlineData("http://receiver.example.org:8443/")]
    public void Public_literals_and_fully_qualified_names_pass_the_offline_checks(string url)
    {
        WebhookUrlPolicy.CheckSyntax(url, out var uri).ShouldBeNull();
        WebhookUrlPolicy.CheckHost(uri!).ShouldBeNull();
    }

    [Fact]
    public void One_non_public_address_among_public_ones_is_enough_to_refuse()
    {
        WebhookUrlPolicy.CheckAddresses([IPAddress.Parse("93.184.216.34"), IPAddress.Parse("10.0.0.7")])!.Code.ShouldBe(WebhookUrlPolicy.UnsafeUrl);
        WebhookUrlPolicy.CheckAddresses([IPAddress.Parse("93.184.216.34"), IPAddress.Parse("2606:4700:4700::1111")]).ShouldBeNull();
        WebhookUrlPolicy.CheckAddresses([])!.Code.ShouldBe(WebhookUrlPolicy.UnresolvableUrl);
    }

    [Fact]
    public void The_refusal_names_the_address_and_why()
    {
        WebhookUrlPolicy.CheckAddresses([IPAddress.Parse("169.254.169.254")])!.Message.ShouldContain("metadata");
    }
}
