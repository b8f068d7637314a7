using System.Diagnostics;
using Integrations.Domain.Webhooks;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

/// <summary>A system whose Workers host the test runs as a separate process, to kill it for real.</summary>
public sealed class WorkerProcessFixture() : DeliveryFixture(new NoInProcessWorkersSystem())
{
    private sealed class NoInProcessWorkersSystem : DeliverySystem
    {
        protected override bool StartWorkers => false;
    }
}

[Collection(DeliveryCollection.Name)]
public class DeliveryCrashTests(WorkerProcessFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<WorkerProcessFixture>
{
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    [Fact]
    public async Task Killing_the_workers_host_mid_delivery_loses_nothing_and_the_interrupted_deliveries_come_again_with_the_same_webhook_id()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink);
        var release = new TaskCompletionSource();
        _sink.Hold(endpoint.Path, release.Task);

        var first = await StartWorkersAsync(_system);
        var interrupted = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => endpoint.Tenant.Client.PublishAsync()));
        await _sink.WaitForAsync(endpoint.Path, interrupted.Length, TimeSpan.FromSeconds(30));
        // Accepted just before the crash: somewhere between the outbox, Kafka and the queue.
        var inTransit = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => endpoint.Tenant.Client.PublishAsync()));
        first.Kill();

        _sink.Respond(endpoint.Path, 200);
        await using var second = await StartWorkersAsync(_system);
        var all = interrupted.Concat(inTransit).Select(e => WebhookDeliveryDecider.DeliveryId(e, endpoint.Id)).ToList();
        foreach (var deliveryId in all)
            await endpoint.Tenant.Client.WaitForDeliveryAsync(deliveryId, d => d.Status() == "succeeded", TimeSpan.FromSeconds(60), $"{deliveryId} delivered after the restart");

        var received = _sink.Received(endpoint.Path).GroupBy(r => r.WebhookId).ToDictionary(g => g.Key, g => g.Count());
        received.Keys.ShouldBe(all.Select(id => id.ToString()), ignoreOrder: true);
        foreach (var deliveryId in interrupted.Select(e => WebhookDeliveryDecider.DeliveryId(e, endpoint.Id)))
            received[deliveryId.ToString()].ShouldBeGreaterThanOrEqualTo(2, "the interrupted delivery was sent again, with the same webhook_id");
        release.TrySetResult();
    }

    [Fact]
    public async Task A_workers_host_killed_and_restarted_5_s_later_resumes_delivering_within_seconds()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink);
        var first = await StartWorkersAsync(_system);
        var before = await endpoint.Tenant.Client.PublishAsync();
        await endpoint.Tenant.Client.WaitForDeliveryAsync(WebhookDeliveryDecider.DeliveryId(before, endpoint.Id), d => d.Status() == "succeeded",
            TimeSpan.FromSeconds(60), "delivered by the first host");

        first.Kill();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var restart = Stopwatch.StartNew();
        await using var second = await StartWorkersAsync(_system);
        var startedIn = restart.Elapsed;
        var after = await endpoint.Tenant.Client.PublishAsync();
        // The consumer group gives the dead member's partitions away once its session times out
        // (Kafka:SessionTimeoutMs, 6 s), not after librdkafka's default 45 s.
        await endpoint.Tenant.Client.WaitForDeliveryAsync(WebhookDeliveryDecider.DeliveryId(after, endpoint.Id), d => d.Status() == "succeeded",
            TimeSpan.FromSeconds(20), "delivered by the restarted host within seconds of its start");
        output.WriteLine($"restart to first delivery: {restart.Elapsed.TotalSeconds:F1} s (start-up {startedIn.TotalSeconds:F1} s)");
        restart.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20));
    }

    /// <summary>A short lease, so the deliveries a dead process had claimed are due again within seconds; ready once it listens for deliveries.</summary>
    private static Task<WorkerProcess> StartWorkersAsync(DeliverySystem system) => WorkerProcess.StartAsync(system,
        new Dictionary<string, string?> { ["Webhooks:Timeout"] = "00:00:03", ["Webhooks:LeaseDuration"] = "00:00:05" }, "query like 'listen webhook%'");
}
