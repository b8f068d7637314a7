using Integrations.Domain.Webhooks;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

/// <summary>The circuit breaker of <see cref="CircuitBreakerFixture"/>, with a first retry 30 s after a failure.</summary>
public sealed class CircuitRecoveryFixture() : DeliveryFixture(new CircuitRecoverySystem())
{
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(30);

    private sealed class CircuitRecoverySystem : DeliverySystem
    {
        protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
        {
            ["Webhooks:RetrySchedule"] = "30s,30s",
            ["Webhooks:CircuitBreaker:FailureThreshold"] = "3",
            ["Webhooks:CircuitBreaker:OpenFor"] = "00:00:03",
            ["Webhooks:CircuitBreaker:MaxOpenFor"] = "00:00:06",
        };
    }
}

[Collection(DeliveryCollection.Name)]
public class DeliveryCircuitRecoveryTests(CircuitRecoveryFixture fixture) : IClassFixture<CircuitRecoveryFixture>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    [Fact]
    public async Task A_successful_probe_brings_the_endpoints_waiting_retries_forward()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink, ["invoice.paid"]);
        _sink.Respond(endpoint.Path, 500);
        var client = endpoint.Tenant.Client;
        var failed = await DeliveryCircuitBreakerTests.PublishTogetherAsync(client, 3);
        var third = (await _sink.WaitForAsync(endpoint.Path, 3, Soon))[2].ReceivedAt;
        await Infrastructure.Eventually.HoldsAsync(async () => await _system.ScalarAsync<int?>(
            "select consecutive_failures from webhook_endpoint_health where endpoint_id = @id", ("id", endpoint.Id)) >= 3, Soon, "three failures recorded");
        // Their retries wait for the schedule's first step, long after the circuit half-opens.
        (await _system.ScalarAsync<long>("select count(*) from webhook_delivery_queue where endpoint_id = @id and next_attempt_at > @third + interval '25 seconds'",
            ("id", endpoint.Id), ("third", third))).ShouldBe(3);

        // The endpoint is back; a new event goes as the probe when the circuit half-opens, and succeeds.
        _sink.Respond(endpoint.Path, 200);
        var probeEvent = await client.PublishAsync();
        await client.WaitForDeliveryAsync(WebhookDeliveryDecider.DeliveryId(probeEvent, endpoint.Id), d => d.Status() == "succeeded", Soon, "the probe");
        var probe = _sink.Received(endpoint.Path)[3];

        foreach (var e in failed)
            await client.WaitForDeliveryAsync(WebhookDeliveryDecider.DeliveryId(e, endpoint.Id), d => d.Status() == "succeeded", Soon, "retried after the probe");
        var retries = _sink.Received(endpoint.Path).Skip(4).ToList();
        retries.Count.ShouldBe(3);
        foreach (var retry in retries)
            (retry.ReceivedAt - probe.ReceivedAt).ShouldBeLessThan(TimeSpan.FromSeconds(5), "a waiting retry kept its schedule after the endpoint's probe succeeded");
        retries.Max(r => r.ReceivedAt).ShouldBeLessThan(third + CircuitRecoveryFixture.FirstRetry - TimeSpan.FromSeconds(10));
        foreach (var e in failed)
            (await client.GetDeliveryAsync(WebhookDeliveryDecider.DeliveryId(e, endpoint.Id))).Attempts().Count.ShouldBe(2);
    }
}
