using System.Diagnostics;
using Shouldly;

namespace Integrations.IntegrationTests.Messaging;

/// <summary>The broker's availability never decides whether an event is accepted, nor whether it is eventually delivered.</summary>
[Collection(MessagingCollection.Name)]
public sealed class BrokerOutageTests : IAsyncLifetime
{
    private MessagingHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await MessagingHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Events_accepted_while_the_broker_is_down_are_all_published_in_per_tenant_order_once_it_is_back()
    {
        var worker = await _harness.StartWorkerAsync();
        await MessagingHarness.WaitUntilActiveAsync(worker);
        var tenants = new[] { await _harness.CreateTenantAsync(), await _harness.CreateTenantAsync(), await _harness.CreateTenantAsync() };

        await _harness.Broker.SetDownAsync();
        var ingested = new List<(Guid Tenant, Guid Event)>();
        var ingesting = Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            var tenant = tenants[i % tenants.Length];
            ingested.Add((tenant, await _harness.IngestAsync(tenant, i)));
        }
        // Far below the producer's 10 s message timeout: accepting an event never waits for Kafka.
        ingesting.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(8));

        var ids = ingested.Select(e => e.Event).ToList();
        var observed = Stopwatch.StartNew();
        while (observed.Elapsed < TimeSpan.FromSeconds(2))
        {
            (await _harness.CountAsync("select count(*) from outbox where published_at is not null")).ShouldBe(0, "nothing is published while the broker is down");
            await Task.Delay(200);
        }

        await _harness.Broker.SetUpAsync();
        await _harness.WaitUntilDispatchedAsync(ids, TimeSpan.FromSeconds(60));
        (await _harness.DispatchedCountAsync(ids)).ShouldBe(50);

        var read = _harness.ReadTopic(r => ids.All(id => r.Any(m => m.Message.Value.Contains(id.ToString()))), TimeSpan.FromSeconds(30));
        foreach (var tenant in tenants)
        {
            var firstAppearances = read
                .Where(m => m.Message.Key == tenant.ToString())
                .Select(m => ids.First(id => m.Message.Value.Contains(id.ToString())))
                .Distinct()
                .ToList();
            firstAppearances.ShouldBe(ingested.Where(e => e.Tenant == tenant).Select(e => e.Event).ToList(), $"tenant {tenant}'s events appear in ingestion order");
        }
    }
}
