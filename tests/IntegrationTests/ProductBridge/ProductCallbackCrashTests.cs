using System.Diagnostics;
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
    private readonly ProductBridgeSystem _system = fixture.System;
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

    /// <summary>The Workers host as its own process (the build output of src/Workers), configured through the environment.</summary>
    private sealed class WorkerProcess : IAsyncDisposable
    {
        private readonly Process _process;

        private WorkerProcess(Process process) => _process = process;

        public static async Task<WorkerProcess> StartAsync(TestSystem system)
        {
            var start = new ProcessStartInfo("dotnet", [TestEnvironment.WorkersAssembly()])
            {
                WorkingDirectory = Path.GetDirectoryName(TestEnvironment.WorkersAssembly())!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var settings = system.Configuration();
            var name = "callbacks-" + Guid.NewGuid().ToString("N")[..8];
            settings["ConnectionStrings:Postgres"] += ";Application Name=" + name;
            foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            // The outbox relay holds its leadership lock on a connection of its own: the process is past its start-up.
            await Eventually.HoldsAsync(async () => process.HasExited || await system.ScalarAsync<long>(
                    "select count(*) from pg_stat_activity where application_name = @name", ("name", name)) > 0,
                TimeSpan.FromSeconds(30), "the Workers process is connected");
            process.HasExited.ShouldBeFalse($"the Workers process exited with code {(process.HasExited ? process.ExitCode : 0)}");
            return new WorkerProcess(process);
        }

        /// <summary>SIGKILL: no shutdown, no goodbye to the consumer group, no offsets committed.</summary>
        public void Kill()
        {
            _process.Kill();
            _process.WaitForExit();
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                ProcessRunner.Signal(_process.Id);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(40));
            }
            _process.Dispose();
        }
    }
}
