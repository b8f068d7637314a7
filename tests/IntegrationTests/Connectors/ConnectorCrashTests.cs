using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.Connectors;

/// <summary>A <see cref="ConnectorsSystem"/> whose Workers host the test runs as a process of its own, to kill it for real.</summary>
public sealed class ConnectorWorkerProcessSystem : ConnectorsSystem
{
    protected override bool StartWorkers => false;
}

[Collection(ConnectorsCollection.Name)]
public sealed class ConnectorCrashTests(ConnectorWorkerProcessSystem system) : IClassFixture<ConnectorWorkerProcessSystem>, IAsyncLifetime
{
    public Task InitializeAsync() => system.ResetFakeAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Killing_the_workers_process_mid_call_loses_no_call_and_the_interrupted_ones_go_again_with_the_same_idempotency_key()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectApiKeyAsync(tenant.Client);
        await ConnectorsSystem.RecordsRouteAsync(tenant.Client, connection, "crash-");
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/records/crash-", Count: null, Hang: true));

        var first = await StartWorkersAsync();
        var interrupted = new List<Guid>();
        for (var i = 0; i < 3; i++) interrupted.Add(await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice($"in_crash{i}", i)));
        await Eventually.HoldsAsync(async () => (await system.ReceivedAsync("/api/records/crash-")).Count >= 3, TimeSpan.FromSeconds(20),
            "the three calls are in flight at the (hanging) provider");
        // Accepted just before the crash: somewhere between the outbox, Kafka and the ledger.
        var inTransit = new List<Guid>();
        for (var i = 3; i < 5; i++) inTransit.Add(await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice($"in_crash{i}", i)));
        first.Kill();

        await system.Fake.Control.ClearFaultsAsync();
        await using var second = await StartWorkersAsync();
        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 5 && c.All(x => x.Status() == "succeeded"),
            TimeSpan.FromSeconds(60), "every call completed after the restart");

        calls.Select(c => c.EventId()).ShouldBe(interrupted.Concat(inTransit), ignoreOrder: true, "one call per event: none lost, none doubled");
        var received = await system.ReceivedAsync("/api/records/crash-");
        var byKey = received.GroupBy(r => r.Headers["idempotency-key"]).ToDictionary(g => g.Key, g => g.Count());
        byKey.Keys.ShouldBe(calls.Select(c => c.Id().ToString()), ignoreOrder: true);
        foreach (var call in calls.Where(c => interrupted.Contains(c.EventId())))
            byKey[call.Id().ToString()].ShouldBeGreaterThanOrEqualTo(2, "the interrupted call was sent again, with the same Idempotency-Key");
    }

    [Fact]
    public async Task An_events_outbox_row_is_completed_only_together_with_its_connector_calls()
    {
        var tenant = await system.TenantAsync();
        var (connection, _) = await system.ConnectApiKeyAsync(tenant.Client);
        await ConnectorsSystem.RecordsRouteAsync(tenant.Client, connection, "together-");
        // Only the relay and the dispatch: no process sends connector calls (or, before ADR 0029, read the topic for them).
        var dispatching = await system.StartExtraWorkersAsync(new Dictionary<string, string?>
        {
            ["Workers:Pipelines"] = "outbox-relay,events-dispatch",
        });
        try
        {
            var eventId = await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice("in_together", 1));
            await Eventually.HoldsAsync(async () =>
                    await system.ScalarAsync<long>("select count(*) from outbox where message_id = @id and completed_at is not null", ("id", eventId)) == 1,
                TimeSpan.FromSeconds(30), "the dispatch completed the event's outbox row");
            // Completion vouches for the calls: were the broker to lose the message now, nothing would be owed to the connector.
            (await system.ScalarAsync<long>("select count(*) from connector_calls where event_id = @id and connection_id = @connection",
                ("id", eventId), ("connection", connection))).ShouldBe(1);
        }
        finally
        {
            await system.StopExtraWorkersAsync(dispatching);
        }
    }

    /// <summary>A short lease, so the calls a dead process had claimed are due again within seconds; ready once it listens for calls.</summary>
    private Task<WorkerProcess> StartWorkersAsync() => WorkerProcess.StartAsync(system,
        new Dictionary<string, string?> { ["Connectors:LeaseDuration"] = "00:00:05" }, "query like 'listen connector_calls%'");
}
