using System.Net;
using System.Net.Http.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.OAuth;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.ProductBridge;

/// <summary>
/// OAuth access tokens on the product bridge and the entity read model (docs/oauth.md#scopes): the
/// automation apps' create, update and find steps signed in with OAuth instead of an API key.
/// </summary>
[Collection(ProductBridgeCollection.Name)]
public class ProductBridgeScopeTests(ProductBridgeFixture fixture)
{
    private readonly DeliverySystem _system = fixture.System;

    [Fact]
    public async Task Tokens_need_commands_write_to_send_commands_read_scopes_to_read_and_never_reach_the_callback_settings()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        await tenant.Client.ConfigureCallbackAsync(fixture.Sink);
        var oauth = new OAuthHarness(_system);
        string[] declared = ["entities:read", "commands:read", "commands:write", "events:read"];
        using var reader = _system.Client(await oauth.ScopedTokenAsync(tenant, declared, "entities:read commands:read"));
        using var writer = _system.Client(await oauth.ScopedTokenAsync(tenant, declared, "commands:read commands:write"));
        using var stranger = _system.Client(await oauth.ScopedTokenAsync(tenant, declared, "events:read"));

        await (await reader.PostAsJsonAsync(ProductBridgeApi.Commands, ProductBridgeApi.Update("T-1"))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        (await _system.ScalarAsync<long>("select count(*) from product_commands where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0, "a refused command is not sent");

        var sent = (await writer.SendCommandAsync(ProductBridgeApi.Update("T-1"))).Id();
        (await _system.ScalarAsync<Guid>("select tenant_id from product_commands where id = @id", ("id", sent))).ShouldBe(tenant.TenantId, "the token's tenant");
        (await reader.GetCommandAsync(sent)).Id().ShouldBe(sent);
        (await reader.GetAsync($"{ProductBridgeApi.Commands}/{sent}/result")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await reader.GetAsync("/api/v1/entities")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await (await writer.GetAsync("/api/v1/entities")).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await stranger.GetAsync(ProductBridgeApi.Commands)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await stranger.GetAsync("/api/v1/entities/task/T-1")).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        foreach (var token in new[] { reader, writer })
        {
            var refused = await (await token.GetAsync(ProductBridgeApi.Callback)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
            refused.GetProperty("message").GetString()!.ShouldContain("API key");
            await (await token.PostAsync($"{ProductBridgeApi.Callback}/reveal-secret", null)).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        }
    }
}
