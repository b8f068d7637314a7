using System.Net;
using System.Net.Http.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Webhooks;
using Shouldly;

namespace Integrations.IntegrationTests.Hooks;

/// <summary>A hook's target passes the SSRF rules of webhook endpoints, as production applies them (no private network targets).</summary>
public class HookSsrfTests(ProductionNetworkPolicySystem system) : IClassFixture<ProductionNetworkPolicySystem>
{
    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "unsafe_url")]
    [InlineData("http://127.0.0.1:5080/api/v1/tenants", "unsafe_url")]
    [InlineData("http://[::ffff:10.0.0.1]/hook", "unsafe_url")]
    [InlineData("http://0x7f.1/hook", "unsafe_url")]
    [InlineData("http://localhost./hook", "unsafe_url")]
    [InlineData("http://metadata.google.internal/computeMetadata/v1/", "unsafe_url")]
    [InlineData("https://no-such-host.invalid/hook", "unresolvable_url")]
    public async Task Subscribing_a_target_inside_the_network_is_refused_and_stores_nothing(string url, string code)
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var error = await (await tenant.Client.PostAsJsonAsync("/api/v1/hooks", new { target_url = url, event_types = new[] { "*" } }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        var detail = error.GetProperty("details").EnumerateArray().ShouldHaveSingleItem();
        detail.GetProperty("field").GetString().ShouldBe("target_url");
        detail.GetProperty("code").GetString().ShouldBe(code);
        (await system.ScalarAsync<long>("select count(*) from webhook_endpoints where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);
    }
}
