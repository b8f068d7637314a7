using Integrations.Application.Common;
using Integrations.Domain.Webhooks;
using Integrations.Infrastructure.Messaging;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

/// <summary>
/// A system for running two Workers hosts side by side. Each host may have only
/// <see cref="PerHostEndpointConcurrency"/> request in flight per endpoint, so more than that open
/// at the sink at once can only come from both hosts: the tests' honest sign that both did work.
/// Claims are small, so a burst of deliveries is split between the hosts' claims, which then run at
/// the same moment and contend for the same queue rows and the same endpoint's pacing row (with the
/// default of 256 one claim would take a whole burst). The lease is short (still longer than the
/// request timeout, as the host requires), so a dead host's deliveries are due again within seconds.
/// </summary>
public sealed class TwoWorkersFixture() : DeliveryFixture(new TwoWorkersSystem())
{
    public const int PerHostEndpointConcurrency = 1;
    public const int ClaimBatchSize = 4;
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);

    private sealed class TwoWorkersSystem : DeliverySystem
    {
        protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
        {
            ["Webhooks:MaxConcurrencyPerEndpoint"] = PerHostEndpointConcurrency.ToString(),
            ["Webhooks:ClaimBatchSize"] = ClaimBatchSize.ToString(),
            ["Webhooks:Timeout"] = "00:00:08",
            ["Webhooks:LeaseDuration"] = Lease.ToString(),
            // The production default, not the delivery tests' 100 ms: hosts then wake when the next
            // delivery is due, both at the same moment, instead of each on a poll of its own.
            ["Webhooks:PollInterval"] = "00:00:01",
        };
    }
}

[Collection(DeliveryCollection.Name)]
public class DeliveryMultipleWorkersTests(TwoWorkersFixture fixture) : IClassFixture<TwoWorkersFixture>
{
    private const int Cap = TwoWorkersFixture.PerHostEndpointConcurrency;
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    [Fact]
    public async Task With_two_workers_hosts_every_delivery_arrives_exactly_once_and_is_logged_with_one_successful_attempt()
    {
        var extra = await _system.StartExtraWorkersAsync();
        try
        {
            await WaitUntilBothShareTheFanOutAsync(_system.Workers!, extra);

            // 3 tenants with 2 endpoints each, 80 events per tenant: 240 events, 480 deliveries.
            // Each endpoint answers after 200 ms: a host's one slot per endpoint stays busy, so the other host's claims matter.
            var tenants = new List<(TenantWithKey Tenant, CreatedEndpoint[] Endpoints)>();
            for (var t = 0; t < 3; t++)
            {
                var tenant = await _system.CreateTenantWithKeyAsync();
                var endpoints = new[] { await _system.CreateEndpointAsync(_sink, tenant: tenant), await _system.CreateEndpointAsync(_sink, tenant: tenant) };
                foreach (var endpoint in endpoints) _sink.RespondAfter(endpoint.Path, TimeSpan.FromMilliseconds(200));
                tenants.Add((tenant, endpoints));
            }
            var published = await Task.WhenAll(tenants.Select(async t => (t.Tenant, t.Endpoints, Events: await PublishManyAsync(t.Tenant.Client, 80))));

            var expected = published.SelectMany(p => p.Endpoints.Select(e => (Endpoint: e, Ids: p.Events.Select(ev => WebhookDeliveryDecider.DeliveryId(ev, e.Id)).ToList()))).ToList();
            foreach (var (endpoint, ids) in expected) await _sink.WaitForAsync(endpoint.Path, ids.Count, TimeSpan.FromSeconds(120));
            foreach (var (endpoint, ids) in expected)
            foreach (var id in ids)
            {
                var delivery = await endpoint.Tenant.Client.WaitForDeliveryAsync(id, d => d.Status() != "pending", TimeSpan.FromSeconds(30), $"{id} recorded");
                delivery.Status().ShouldBe("succeeded");
                var attempts = delivery.Attempts();
                attempts.Count.ShouldBe(1, $"delivery {id} was attempted once");
                attempts[0].GetProperty("succeeded").GetBoolean().ShouldBeTrue();
                attempts[0].GetProperty("status_code").GetInt32().ShouldBe(200);
            }

            // Settled: nothing left in the queue to send again and neither host has a request open,
            // so what the sink saw is final. Each webhook_id exactly once: neither host sent what the other had claimed.
            (await _system.ScalarAsync<long>("select count(*) from webhook_delivery_queue")).ShouldBe(0);
            await Eventually.HoldsAsync(() => Task.FromResult(_system.Workers!.Dispatcher().InFlight == 0 && extra.Dispatcher().InFlight == 0),
                TimeSpan.FromSeconds(10), "both dispatchers are idle");
            foreach (var (endpoint, ids) in expected)
                _sink.Received(endpoint.Path).Select(r => r.WebhookId).ShouldBe(ids.Select(id => id.ToString()), ignoreOrder: true, $"{endpoint.Path}: every webhook_id once");

            var busiest = expected.Max(e => _sink.MaxConcurrent(e.Endpoint.Path));
            busiest.ShouldBeGreaterThan(Cap, "more requests to one endpoint were open at once than one host may have: both hosts delivered");
        }
        finally
        {
            await _system.StopExtraWorkersAsync(extra);
        }
    }

    [Fact]
    public async Task With_two_workers_hosts_an_endpoint_rate_limit_holds_across_them_and_excess_deliveries_wait()
    {
        var extra = await _system.StartExtraWorkersAsync();
        try
        {
            await WaitUntilBothShareTheFanOutAsync(_system.Workers!, extra);
            // 40 a minute: one slot every 1.5 s, shared by both hosts through webhook_endpoint_pacing.
            // The endpoint answers at once, so both hosts are free whenever a slot comes: they wake at
            // the same due time and claim the endpoint's deliveries at the same moment, and only the
            // shared pacing keeps them from taking the same slot.
            var endpoint = await _system.CreateEndpointAsync(_sink, rateLimitPerMinute: 40);
            // The endpoint's first slot is no earlier than its first claim, after this instant.
            var start = DateTimeOffset.UtcNow;
            var events = await PublishManyAsync(endpoint.Tenant.Client, 14);

            var received = await _sink.WaitForAsync(endpoint.Path, events.Count, TimeSpan.FromSeconds(60));
            received.Select(r => r.Json.GetProperty("id").GetGuid()).ShouldBe(events, ignoreOrder: true, "every event arrives once: the excess waited, none was dropped");
            // The k-th arrival (from 0) comes no earlier than the k-th slot, the first slot plus k intervals
            // of 1.5 s: the dispatcher sends at its slot or after it, never before. A late send delays its
            // own arrival only, so lateness (up to 0.6 s on the shared 2-core test machine, a descheduled
            // process) cannot fail this. The first slot is bounded below by the start and by the first
            // arrival less 1.3 s (at most that late): two hosts taking the same slot once put every later
            // arrival a whole interval (1.5 s) ahead, which fails it. Slots and arrivals are stamped with the
            // same machine's clock; 0.1 s is for timer granularity.
            var times = received.Select(r => r.ReceivedAt).Order().ToList();
            var firstSlot = new[] { start, times[0] - TimeSpan.FromSeconds(1.3) }.Max();
            for (var k = 0; k < times.Count; k++)
                times[k].ShouldBeGreaterThan(firstSlot + TimeSpan.FromSeconds(1.5 * k - 0.1), $"request {k} came before its slot: faster than 40 a minute");

            // A host sends to the endpoint one request at a time (its per-endpoint limit is 1), so on one
            // kept-alive connection of its own sender: two connections mean both hosts sent.
            received.Select(r => r.Connection).Distinct().Count().ShouldBe(2, "both hosts sent, each on its own connection");
        }
        finally
        {
            await _system.StopExtraWorkersAsync(extra);
        }
    }

    [Fact]
    public async Task When_one_workers_host_dies_mid_delivery_the_other_sends_its_deliveries_after_the_lease_with_the_same_webhook_id()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink);
        var release = new TaskCompletionSource();
        _sink.Hold(endpoint.Path, release.Task);
        var doomed = await _system.StartExtraWorkersAsync();
        var killed = false;
        try
        {
            await WaitUntilBothShareTheFanOutAsync(_system.Workers!, doomed);
            var interrupted = await PublishManyAsync(endpoint.Tenant.Client, 8);
            // Both hosts have their request to the endpoint open (held by the sink).
            await Eventually.HoldsAsync(() => Task.FromResult(_sink.MaxConcurrent(endpoint.Path) == 2 * Cap), TimeSpan.FromSeconds(30),
                "both hosts have requests in flight to the slow endpoint");

            await _system.StopExtraWorkersAsync(doomed, abruptly: true);
            killed = true;
            // Accepted just after the death: the survivor's relay and fan-out take them on.
            var afterwards = await PublishManyAsync(endpoint.Tenant.Client, 4);
            await Eventually.HoldsAsync(() => Task.FromResult(_sink.Abandoned(endpoint.Path).Count == Cap), TimeSpan.FromSeconds(10),
                "the dead host's requests were cut off");
            var cutOff = _sink.Abandoned(endpoint.Path).ToDictionary(r => r.WebhookId, r => r.ReceivedAt);

            _sink.Respond(endpoint.Path, 200);
            release.SetResult();
            var all = interrupted.Concat(afterwards).Select(e => WebhookDeliveryDecider.DeliveryId(e, endpoint.Id)).ToList();
            foreach (var id in all)
            {
                var delivery = await endpoint.Tenant.Client.WaitForDeliveryAsync(id, d => d.Status() != "pending", TimeSpan.FromSeconds(60), $"{id} delivered by the survivor");
                delivery.Status().ShouldBe("succeeded");
                // The cut-off request was never recorded: the log holds the one that was answered.
                delivery.Attempts().Select(a => a.GetProperty("status_code").GetInt32()).ShouldBe([200], $"the attempts of {id}");
            }

            var received = _sink.Received(endpoint.Path).GroupBy(r => r.WebhookId).ToDictionary(g => g.Key, g => g.Select(r => r.ReceivedAt).Order().ToList());
            received.Keys.ShouldBe(all.Select(id => id.ToString()), ignoreOrder: true);
            foreach (var (webhookId, arrivals) in received)
            {
                if (!cutOff.TryGetValue(webhookId, out var first))
                {
                    arrivals.Count.ShouldBe(1, $"{webhookId} was not cut off and came once");
                    continue;
                }
                arrivals.Count.ShouldBe(2, $"{webhookId} was cut off and came again, with the same webhook_id");
                // Not before its lease ran out: the survivor took over an expired lease, it did not steal a live one.
                // The lease started when the delivery was claimed, a moment before the first request; a second covers that moment.
                (arrivals[1] - first).ShouldBeGreaterThan(TwoWorkersFixture.Lease - TimeSpan.FromSeconds(1), $"{webhookId} came again before its lease ran out");
            }
        }
        finally
        {
            release.TrySetResult();
            if (!killed) await _system.StopExtraWorkersAsync(doomed);
        }
    }

    private static async Task<List<Guid>> PublishManyAsync(HttpClient client, int count)
    {
        var ids = new Guid[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => ids[i] = await client.PublishAsync());
        return [.. ids];
    }

    /// <summary>Both hosts' fan-out consumers are members of the group and share the topic's partitions between them.</summary>
    private static Task WaitUntilBothShareTheFanOutAsync(IHost first, IHost second)
    {
        var partitions = EventPartitions();
        return Eventually.HoldsAsync(() =>
        {
            var (a, b) = (EventsConsumer(first).Assignment, EventsConsumer(second).Assignment);
            return Task.FromResult(a.Count > 0 && b.Count > 0 && !a.Intersect(b).Any() && a.Count + b.Count == partitions);
        // A precondition, not the behaviour under test: the group's rebalance took longer than 30 s once
        // while the other test collections loaded both cores.
        }, TimeSpan.FromSeconds(60), "both Workers hosts own partitions of the events consumer group");
    }

    private static int EventPartitions() =>
        int.Parse(TestEnvironment.Topics.Single(t => t.StartsWith(Topics.Events + ":", StringComparison.Ordinal)).Split(':')[1]);

    private static KafkaBatchConsumerService<EventsTopicHandler> EventsConsumer(IHost host) =>
        host.Services.GetServices<IHostedService>().OfType<KafkaBatchConsumerService<EventsTopicHandler>>().Single();

}
