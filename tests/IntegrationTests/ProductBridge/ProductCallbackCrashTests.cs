using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.ProductBridge;

/// <summary>A system whose Workers host the test runs as a separate process, to kill it for real.</summary>
public sealed class CallbackWorkerProcessFixture() : ProductBridgeFixture(new NoInProcessWorkersSystem())
{
    private sealed class NoInProcessWorkersSystem : ProductBridgeSystem
    {
        protected override bool StartWorkers => false;
    }
}

[Collection(ProductBridgeCollection.Name)]
public class ProductCallbackCrashTests(CallbackWorkerProcessFixture fixture) : IClassFixture<CallbackWorkerProcessFixture>
{
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    [Fact]
    public async Task Workers_killed_mid_delivery_deliver_the_interrupted_command_again_after_the_restart_and_lose_nothing()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var (path, _) = await tenant.Client.ConfigureCallbackAsync(_sink);
        var release = new TaskCompletionSource();
        _sink.Hold(path, release.Task);

        var first = await WorkerProcess.StartAsync(_system);
        var interrupted = await tenant.Client.SendCommandAsync(ProductBridgeApi.Update("T-crash"));
        await _sink.WaitForAsync(path, 1, TimeSpan.FromSeconds(60));
        first.Kill();
        // Sent while no Workers host runs: it waits in the outbox.
        var whileDown = await tenant.Client.SendCommandAsync(ProductBridgeApi.Update("T-crash", new { status = "reopened" }));

        _sink.Respond(path, 200);
        await using var second = await WorkerProcess.StartAsync(_system);
        foreach (var id in new[] { interrupted.Id(), whileDown.Id() })
            (await tenant.Client.WaitForCommandAsync(id, c => c.Status() != "published", TimeSpan.FromSeconds(60), $"{id} answered after the restart"))
                .Status().ShouldBe("delivered");

        var received = _sink.Received(path).Select(r => Guid.Parse(r.WebhookId)).ToList();
        received.Count(id => id == interrupted.Id()).ShouldBeGreaterThanOrEqualTo(2, "the interrupted command was sent again, with the same webhook-id");
        received.Last().ShouldBe(whileDown.Id(), "one record's commands stay in order across the crash");
        release.TrySetResult();
    }
}
