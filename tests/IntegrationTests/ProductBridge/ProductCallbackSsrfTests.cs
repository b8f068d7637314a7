using System.Net;
using System.Net.Http.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Webhooks;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.ProductBridge;

/// <summary>The SSRF guard of webhook endpoints applies to callbacks: when one is configured, and again when the Workers host connects.</summary>
public class ProductCallbackRegistrationSsrfTests(ProductionNetworkPolicySystem system) : IClassFixture<ProductionNetworkPolicySystem>
{
    [Theory]
    [InlineData("http://127.0.0.1:8080/commands", "unsafe_url")]
    [InlineData("http://10.1.2.3/commands", "unsafe_url")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "unsafe_url")]
    [InlineData("http://[::ffff:127.0.0.1]/commands", "unsafe_url")]
    [InlineData("http://2130706433/commands", "unsafe_url")]
    [InlineData("http://localhost/commands", "unsafe_url")]
    [InlineData("http://metadata.google.internal/computeMetadata/v1/", "unsafe_url")]
    [InlineData("ftp://product.example.com/commands", "invalid_url")]
    [InlineData("https://user:pass@product.example.com/commands", "invalid_url")]
    [InlineData("https://no-such-host.invalid/commands", "unresolvable_url")]
    public async Task A_callback_url_that_points_inside_the_network_is_refused_and_nothing_is_stored(string url, string code)
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var error = await (await tenant.Client.PutAsJsonAsync(ProductBridgeApi.Callback, new { url }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        var detail = error.GetProperty("details").EnumerateArray().ShouldHaveSingleItem();
        detail.GetProperty("field").GetString().ShouldBe("url");
        detail.GetProperty("code").GetString().ShouldBe(code);
        (await system.ScalarAsync<long>("select count(*) from product_callbacks where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);
    }
}

/// <summary>Callbacks configured while private targets were allowed (the API's setting), delivered by a Workers host that does not allow them.</summary>
public sealed class CallbackSsrfFixture() : ProductBridgeFixture(new WorkersLaterSystem())
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await System.StartWorkersAsync(new Dictionary<string, string?> { ["Webhooks:AllowPrivateNetworkTargets"] = "false" });
    }

    private sealed class WorkersLaterSystem : ProductBridgeSystem
    {
        protected override bool StartWorkers => false;
    }
}

[Collection(ProductBridgeCollection.Name)]
public class ProductCallbackConnectSsrfTests(CallbackSsrfFixture fixture) : IClassFixture<CallbackSsrfFixture>
{
    [Fact]
    public async Task A_callback_that_is_not_public_at_connect_time_gets_nothing_and_the_command_is_logged_ssrf_blocked_without_retries()
    {
        var tenant = await fixture.System.CreateTenantWithKeyAsync();
        var (path, _) = await tenant.Client.ConfigureCallbackAsync(fixture.Sink);

        var sent = await tenant.Client.SendCommandAsync(ProductBridgeApi.Update("T-1"));

        var logged = await tenant.Client.WaitForCommandAsync(sent.Id(), c => c.Status() != "published", TimeSpan.FromSeconds(30), "the outcome is recorded");
        logged.Status().ShouldBe("callback_failed");
        logged.GetProperty("callback").GetProperty("error_kind").GetString().ShouldBe("ssrf_blocked");
        logged.GetProperty("callback").GetProperty("attempts").GetInt32().ShouldBe(1, "a refused target stays refused: not retried");
        fixture.Sink.Received(path).ShouldBeEmpty();
    }
}
