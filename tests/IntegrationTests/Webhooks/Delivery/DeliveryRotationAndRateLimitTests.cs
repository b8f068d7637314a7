using System.Net;
using Integrations.Application.WebhookDeliveries.Pipelines.Dispatch;
using Microsoft.Extensions.DependencyInjection;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

[Collection(DeliveryCollection.Name)]
public class DeliveryRotationAndRateLimitTests(DeliveryFixture fixture)
{
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    [Fact]
    public async Task During_a_secret_rotation_a_delivery_carries_both_signatures_and_each_verifies_with_its_own_secret()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink);
        var rotated = await (await endpoint.Tenant.Client.PostAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/rotate-secret", null))
            .ShouldBeJsonAsync(HttpStatusCode.OK);
        var newSecret = rotated.GetProperty("secret").GetString()!;

        await endpoint.Tenant.Client.PublishAsync();
        var request = (await _sink.WaitForAsync(endpoint.Path, 1, TimeSpan.FromSeconds(20))).Single();

        request.Headers["webhook-signature"].Split(' ').Length.ShouldBe(2);
        (await StandardWebhooksVerifier.VerifyAsync(request, newSecret)).ShouldBe("verified");
        (await StandardWebhooksVerifier.VerifyAsync(request, endpoint.Secret)).ShouldBe("verified");
    }

    [Fact]
    public async Task A_secret_rotated_after_deliveries_were_signed_signs_the_next_one_although_signing_keys_are_held_decrypted()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink);
        await endpoint.Tenant.Client.PublishAsync();
        var first = (await _sink.WaitForAsync(endpoint.Path, 1, TimeSpan.FromSeconds(20))).Single();
        (await StandardWebhooksVerifier.VerifyAsync(first, endpoint.Secret)).ShouldBe("verified");
        _system.Workers!.Services.GetRequiredService<DeliverySigner>().KeysHeld.ShouldBeGreaterThan(0, "the signing key is kept decrypted");

        var rotated = await (await endpoint.Tenant.Client.PostAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/rotate-secret", null))
            .ShouldBeJsonAsync(HttpStatusCode.OK);
        await endpoint.Tenant.Client.PublishAsync();
        var second = (await _sink.WaitForAsync(endpoint.Path, 2, TimeSpan.FromSeconds(20)))[1];

        second.Headers["webhook-signature"].Split(' ').Length.ShouldBe(2, "the new secret and the old one during its overlap");
        (await StandardWebhooksVerifier.VerifyAsync(second, rotated.GetProperty("secret").GetString()!)).ShouldBe("verified");
    }

    [Fact]
    public async Task Deliveries_beyond_the_rate_limit_wait_for_their_slot_and_none_is_dropped()
    {
        // 120 a minute: one every 0.5 s, so no minute can hold more than 120.
        var endpoint = await _system.CreateEndpointAsync(_sink, rateLimitPerMinute: 120);
        var events = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => endpoint.Tenant.Client.PublishAsync()));

        var received = await _sink.WaitForAsync(endpoint.Path, events.Length, TimeSpan.FromSeconds(30));
        received.Select(r => r.Json.GetProperty("id").GetGuid()).ShouldBe(events, ignoreOrder: true);
        // Any k+1 consecutive arrivals span at least k slots, less however long the first of them was
        // held up after its slot: on a busy machine a send's timer can fire half a second late and
        // land just before the next one, so only runs of five or more are checked, allowing 1 s.
        // Unpaced, all 12 would arrive within a fraction of a second: no run of five spans 1 s.
        var times = received.Select(r => r.ReceivedAt).Order().ToList();
        for (var i = 0; i < times.Count; i++)
        for (var j = i + 4; j < times.Count; j++)
            (times[j] - times[i]).ShouldBeGreaterThan(TimeSpan.FromSeconds(0.5 * (j - i) - 1.0), $"requests {i} to {j} came faster than 120 a minute");
    }
}
