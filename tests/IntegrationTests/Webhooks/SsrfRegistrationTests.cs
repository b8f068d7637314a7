using System.Net;
using System.Net.Http.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks;

/// <summary>The system as production runs it: private network targets are not allowed.</summary>
public sealed class ProductionNetworkPolicySystem : TestSystem
{
    protected override bool StartWorkers => false;

    protected override IDictionary<string, string?> ExtraConfiguration => new Dictionary<string, string?>
    {
        ["Webhooks:AllowPrivateNetworkTargets"] = "false",
        ["Webhooks:SecretRotationOverlap"] = "00:10:00",
    };
}

public class SsrfRegistrationTests(ProductionNetworkPolicySystem system) : IClassFixture<ProductionNetworkPolicySystem>
{
    [Theory]
    [InlineData("http://127.0.0.1:8080/hook", "unsafe_url")]
    [InlineData("http://10.1.2.3/hook", "unsafe_url")]
    [InlineData("http://172.20.0.5/hook", "unsafe_url")]
    [InlineData("http://192.168.1.10/hook", "unsafe_url")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "unsafe_url")]
    [InlineData("http://100.64.0.1/hook", "unsafe_url")]
    [InlineData("http://192.0.2.2:8080/hook", "unsafe_url")]
    [InlineData("http://198.51.100.7/hook", "unsafe_url")]
    [InlineData("http://203.0.113.9/hook", "unsafe_url")]
    [InlineData("http://0.0.0.0/hook", "unsafe_url")]
    [InlineData("http://[::1]/hook", "unsafe_url")]
    [InlineData("http://[::ffff:127.0.0.1]/hook", "unsafe_url")]
    [InlineData("http://[fd00::1]/hook", "unsafe_url")]
    [InlineData("http://[fe80::1]/hook", "unsafe_url")]
    [InlineData("http://2130706433/hook", "unsafe_url")]
    [InlineData("http://0177.0.0.1/hook", "unsafe_url")]
    [InlineData("http://0x7f.1/hook", "unsafe_url")]
    [InlineData("http://127.1/hook", "unsafe_url")]
    [InlineData("http://localhost/hook", "unsafe_url")]
    [InlineData("http://localhost.:8080/hook", "unsafe_url")]
    [InlineData("http://metadata.google.internal/computeMetadata/v1/", "unsafe_url")]
    [InlineData("http://metadata/hook", "unsafe_url")]
    [InlineData("ftp://hooks.example.com/hook", "invalid_url")]
    [InlineData("https://user:pass@hooks.example.com/hook", "invalid_url")]
    [InlineData("https://no-such-host.invalid/hook", "unresolvable_url")]
    public async Task Registering_a_url_that_points_inside_the_network_is_refused(string url, string code)
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var error = await (await tenant.Client.PostAsJsonAsync(EndpointApi.Path, new { url, event_types = new[] { "*" } }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        var detail = error.GetProperty("details").EnumerateArray().ShouldHaveSingleItem();
        detail.GetProperty("field").GetString().ShouldBe("url");
        detail.GetProperty("code").GetString().ShouldBe(code);
        (await system.ScalarAsync<long>("select count(*) from webhook_endpoints where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);
    }

    [Theory]
    [InlineData("https://93.184.216.34/hook")]
    [InlineData("https://[2606:4700:4700::1111]/hook")]
    public async Task A_public_address_is_accepted(string url)
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var created = await tenant.Client.CreateEndpointAsync(new { url, event_types = new[] { "invoice.paid" } });

        created.GetProperty("url").GetString().ShouldBe(url);
    }

    [Fact]
    public async Task Changing_the_url_passes_the_same_guard()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var id = (await tenant.Client.CreateEndpointAsync(new { url = "https://93.184.216.34/hook", event_types = new[] { "*" } })).Id();

        var error = await (await tenant.Client.PatchEndpointAsync(id, """{"url": "http://169.254.169.254/latest/meta-data/"}"""))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        error.GetProperty("details").EnumerateArray().ShouldContain(d => d.GetProperty("field").GetString() == "url" && d.GetProperty("code").GetString() == "unsafe_url");
        (await tenant.Client.GetEndpointAsync(id)).GetProperty("url").GetString().ShouldBe("https://93.184.216.34/hook");
    }

    [Fact]
    public async Task The_rotation_overlap_is_configurable()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var id = (await tenant.Client.CreateEndpointAsync(new { url = "https://93.184.216.34/hook", event_types = new[] { "*" } })).Id();

        var before = DateTimeOffset.UtcNow;
        var rotated = await tenant.Client.PostActionAsync(id, "rotate-secret");

        rotated.GetProperty("previous_secret_expires_at").GetDateTimeOffset()
            .ShouldBeInRange(before.AddMinutes(10).AddSeconds(-5), DateTimeOffset.UtcNow.AddMinutes(10).AddSeconds(5));
    }
}
