using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.ProductBridge;

/// <summary>
/// GET /api/v1/product-commands/{id}/result: the product's answering event (data.command_id), waited
/// for up to wait seconds, as the automation tools' create and update actions use it (issue 23).
/// </summary>
[Collection(ProductBridgeCollection.Name)]
public class ProductCommandResultTests(ProductBridgeFixture fixture)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);
    private readonly DeliverySystem _system = fixture.System;

    private static Task<Guid> AnswerAsync(HttpClient product, Guid commandId, string entityId) =>
        product.PublishAsync("entity.updated", new { entity_id = entityId, entity_type = "task", changed_fields = new[] { "status" }, command_id = commandId });

    [Fact]
    public async Task The_result_is_the_products_answering_event_which_a_waiting_request_returns_as_soon_as_it_arrives()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var entityId = "T-" + Guid.NewGuid().ToString("N")[..6];
        var command = (await tenant.Client.SendCommandAsync(ProductBridgeApi.Update(entityId))).Id();

        var before = await (await tenant.Client.GetAsync($"{ProductBridgeApi.Commands}/{command}/result")).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        before.GetProperty("status").GetString().ShouldBe("pending");
        before.GetProperty("event").ValueKind.ShouldBe(JsonValueKind.Null);

        var clock = Stopwatch.StartNew();
        var waiting = tenant.Client.GetAsync($"{ProductBridgeApi.Commands}/{command}/result?wait=15");
        // The product reads the command from its topic and answers with its normal event.
        _system.ReadTopic(ProductBridgeApi.Topic, read => read.Any(m => m.Message.Value.Contains(command.ToString())), Soon);
        var answer = await AnswerAsync(tenant.Client, command, entityId);

        var result = await (await waiting).ShouldBeJsonAsync(HttpStatusCode.OK);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(12), "returned when the answer arrived, not at the end of the wait");
        result.GetProperty("status").GetString().ShouldBe("answered");
        result.GetProperty("command_id").GetGuid().ShouldBe(command);
        result.GetProperty("event").GetProperty("id").GetGuid().ShouldBe(answer);
        result.GetProperty("event").GetProperty("data").GetProperty("entity_id").GetString().ShouldBe(entityId);

        await AnswerAsync(tenant.Client, command, entityId);
        var again = await (await tenant.Client.GetAsync($"{ProductBridgeApi.Commands}/{command}/result")).ShouldBeJsonAsync(HttpStatusCode.OK);
        again.GetProperty("event").GetProperty("id").GetGuid().ShouldBe(answer, "the first answer is the result");
    }

    [Fact]
    public async Task Without_an_answer_of_its_own_tenant_the_result_stays_pending_for_the_wait_and_bad_requests_are_refused()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var stranger = await _system.CreateTenantWithKeyAsync();
        var command = (await tenant.Client.SendCommandAsync(ProductBridgeApi.Update("T-1"))).Id();
        await AnswerAsync(stranger.Client, command, "T-1");

        var clock = Stopwatch.StartNew();
        var pending = await (await tenant.Client.GetAsync($"{ProductBridgeApi.Commands}/{command}/result?wait=1")).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9), "it waited");
        pending.GetProperty("status").GetString().ShouldBe("pending", "another tenant's event naming the command is no answer");

        await (await stranger.Client.GetAsync($"{ProductBridgeApi.Commands}/{command}/result")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "product_command_not_found");
        await (await tenant.Client.GetAsync($"{ProductBridgeApi.Commands}/{Guid.NewGuid()}/result")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "product_command_not_found");
        var tooLong = await (await tenant.Client.GetAsync($"{ProductBridgeApi.Commands}/{command}/result?wait=31")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        tooLong.Fields().ShouldBe(["wait"]);
        await (await tenant.Client.GetAsync($"{ProductBridgeApi.Commands}/{command}/result?wait=soon")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
    }
}
