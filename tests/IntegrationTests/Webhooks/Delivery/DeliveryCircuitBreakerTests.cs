using System.Net;
using System.Net.Http.Json;
using Integrations.Domain.Webhooks;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

/// <summary>A system whose circuit breaker opens after 3 consecutive failures, for 3 s, doubling to at most 6 s.</summary>
public sealed class CircuitBreakerFixture() : DeliveryFixture(new CircuitBreakerSystem())
{
    public static readonly TimeSpan OpenFor = TimeSpan.FromSeconds(3);

    private sealed class CircuitBreakerSystem : DeliverySystem
    {
        protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
        {
            ["Webhooks:CircuitBreaker:FailureThreshold"] = "3",
            ["Webhooks:CircuitBreaker:OpenFor"] = "00:00:03",
            ["Webhooks:CircuitBreaker:MaxOpenFor"] = "00:00:06",
        };
    }
}

[Collection(DeliveryCollection.Name)]
public class DeliveryCircuitBreakerTests(CircuitBreakerFixture fixture) : IClassFixture<CircuitBreakerFixture>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);
    // Timestamps of the sink and of the platform's attempts are read from the same clock, a few milliseconds apart.
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(200);
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    /// <summary>
    /// Events in one request: their deliveries are created together and claimed together, so their
    /// first attempts fail before any retry (1 s later) comes due. Published one by one on a busy
    /// machine, a retry could go beside a later first attempt before the circuit opened.
    /// </summary>
    internal static async Task<List<Guid>> PublishTogetherAsync(HttpClient client, int count)
    {
        var events = Enumerable.Range(0, count).Select(i => new { event_type = "invoice.paid", data = new { invoice_id = $"in_{i}", amount_cents = 4200, currency = "EUR" } });
        var accepted = await (await client.PostAsJsonAsync("/api/v1/events/batch", new { events })).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        return accepted.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()).ToList();
    }

    /// <summary>
    /// An always-500 endpoint with three failed deliveries: returns when the failures are recorded (the
    /// circuit is open from then on, not from their arrival at the sink), with the third's arrival.
    /// </summary>
    private async Task<(CreatedEndpoint Endpoint, HttpClient Client, List<Guid> Failed, DateTimeOffset Third)> OpenCircuitAsync()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink, ["invoice.paid"]);
        _sink.Respond(endpoint.Path, 500);
        var client = endpoint.Tenant.Client;
        var failed = await PublishTogetherAsync(client, 3);
        var third = (await _sink.WaitForAsync(endpoint.Path, 3, Soon))[2].ReceivedAt;
        await Infrastructure.Eventually.HoldsAsync(async () => await _system.ScalarAsync<int?>(
                "select consecutive_failures from webhook_endpoint_health where endpoint_id = @id", ("id", endpoint.Id)) >= 3,
            Soon, "three failures recorded");
        return (endpoint, client, failed, third);
    }

    [Fact]
    public async Task An_open_circuit_holds_deliveries_back_without_spending_attempts_and_a_successful_probe_lets_them_all_through()
    {
        var (endpoint, client, failed, third) = await OpenCircuitAsync();

        // Open: the retries of the three (due after 1 s) and four new deliveries all wait; one of them is
        // set aside to be the probe when the circuit half-opens, the others are held until a success.
        // In one request, and waited for together: the checks below must still fall into the open period on a busy machine.
        var held = await PublishTogetherAsync(client, 4);
        await Task.WhenAll(held.Select(e =>
            client.WaitForDeliveryAsync(WebhookDeliveryDecider.DeliveryId(e, endpoint.Id), d => d.Status() == "pending", Soon, "created")));
        var openUntil = third + CircuitBreakerFixture.OpenFor;
        await Task.Delay(openUntil - TimeSpan.FromSeconds(0.5) - DateTimeOffset.UtcNow is { Ticks: > 0 } wait ? wait : TimeSpan.Zero);
        DateTimeOffset.UtcNow.ShouldBeLessThan(openUntil - Slack, "the check must fall into the open period");
        _sink.Received(endpoint.Path).Count.ShouldBe(3, "an open circuit let a request through");
        // Out of the claims' way: six held until a success (or, at the latest, the longest open period after
        // the circuit decides again), one due when the circuit half-opens.
        var queued = await _system.ScalarAsync<string[]>("""
            select array(select case when held_by_circuit and next_attempt_at > @until + interval '5.5 seconds' then 'held'
                                     when not held_by_circuit and abs(extract(epoch from next_attempt_at - @until)) < 0.2 then 'candidate'
                                     else 'other' end
                         from webhook_delivery_queue where endpoint_id = @endpoint order by 1)
            """, ("endpoint", endpoint.Id), ("until", openUntil));
        queued.ShouldBe(["candidate", "held", "held", "held", "held", "held", "held"]);
        // The owner sees it too.
        var health = await HealthAsync(client, endpoint.Id);
        health.GetProperty("consecutive_failures").GetInt32().ShouldBe(3);
        health.GetProperty("pending_deliveries").GetInt64().ShouldBe(7);
        health.GetProperty("held_deliveries").GetInt64().ShouldBe(6);
        health.GetProperty("last_success_at").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        var circuit = health.GetProperty("circuit");
        circuit.GetProperty("state").GetString().ShouldBe("open");
        circuit.GetProperty("failure_threshold").GetInt32().ShouldBe(3);
        (circuit.GetProperty("next_probe_at").GetDateTimeOffset() - openUntil).Duration().ShouldBeLessThan(Slack, "the probe may go when the open period ends");

        _sink.Respond(endpoint.Path, 200);
        foreach (var e in failed.Concat(held))
            await client.WaitForDeliveryAsync(WebhookDeliveryDecider.DeliveryId(e, endpoint.Id), d => d.Status() == "succeeded", Soon, "delivered once closed");
        var received = _sink.Received(endpoint.Path);
        received.Count.ShouldBe(3 + 7);
        var probe = received[3];
        (probe.ReceivedAt - third).ShouldBeGreaterThan(CircuitBreakerFixture.OpenFor - Slack, "the probe came before the open period was over");
        // The rest went as soon as the probe's success was recorded, not when their hold ran out
        // (more than 5.5 s after the open period, as the queue showed above).
        received[^1].ReceivedAt.ShouldBeLessThan(openUntil + TimeSpan.FromSeconds(5.5), "released by the probe's success, not by their hold");
        foreach (var e in held)
            (await client.GetDeliveryAsync(WebhookDeliveryDecider.DeliveryId(e, endpoint.Id))).Attempts().Count.ShouldBe(1, "a held delivery spent an attempt");
        foreach (var e in failed)
            (await client.GetDeliveryAsync(WebhookDeliveryDecider.DeliveryId(e, endpoint.Id))).Attempts().Count.ShouldBe(2);
        health = await HealthAsync(client, endpoint.Id);
        health.GetProperty("consecutive_failures").GetInt32().ShouldBe(0);
        health.GetProperty("circuit").GetProperty("state").GetString().ShouldBe("closed");
        health.GetProperty("circuit").GetProperty("next_probe_at").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        health.GetProperty("pending_deliveries").GetInt64().ShouldBe(0);
        health.GetProperty("last_success_at").GetDateTimeOffset().ShouldBeGreaterThan(probe.ReceivedAt - Slack);
    }

    [Fact]
    public async Task A_new_endpoint_is_healthy_and_another_tenants_endpoint_has_no_health_to_show()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink, ["invoice.paid"]);
        var other = await _system.CreateEndpointAsync(_sink, ["invoice.paid"]);

        var health = await HealthAsync(endpoint.Tenant.Client, endpoint.Id);
        health.GetProperty("endpoint_id").GetGuid().ShouldBe(endpoint.Id);
        health.GetProperty("status").GetString().ShouldBe("enabled");
        health.GetProperty("consecutive_failures").GetInt32().ShouldBe(0);
        health.GetProperty("auto_disable_after").GetInt32().ShouldBe(100_000, "as the delivery tests configure it");
        health.GetProperty("circuit").GetProperty("state").GetString().ShouldBe("closed");
        health.GetProperty("pending_deliveries").GetInt64().ShouldBe(0);

        await (await endpoint.Tenant.Client.GetAsync($"/api/v1/webhook-endpoints/{other.Id}/health"))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "webhook_endpoint_not_found");
    }

    private static async Task<System.Text.Json.JsonElement> HealthAsync(HttpClient client, Guid endpointId) =>
        await (await client.GetAsync($"/api/v1/webhook-endpoints/{endpointId}/health")).ShouldBeJsonAsync(HttpStatusCode.OK);

    [Fact]
    public async Task A_failed_probe_opens_the_circuit_for_twice_as_long_and_one_probe_goes_at_a_time()
    {
        var (endpoint, _, _, _) = await OpenCircuitAsync();

        var received = await _sink.WaitForAsync(endpoint.Path, 5, Soon);
        // Three failures, then a probe after 3 s, which fails, then the next after 6 s.
        (received[3].ReceivedAt - received[2].ReceivedAt).ShouldBeGreaterThan(CircuitBreakerFixture.OpenFor - Slack);
        (received[4].ReceivedAt - received[3].ReceivedAt).ShouldBeGreaterThan(CircuitBreakerFixture.OpenFor * 2 - Slack);
        await Task.Delay(TimeSpan.FromSeconds(1));
        _sink.Received(endpoint.Path).Count.ShouldBe(5, "more than one request went while the circuit was half-open");
    }

    [Fact]
    public async Task Failures_of_requests_already_in_flight_when_the_circuit_opened_do_not_lengthen_it()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink, ["invoice.paid"]);
        // The sink answers none of the first eight before all eight have arrived, so all are in flight when the first
        // fails (otherwise the dispatcher, having seen three failures, sends the rest back to the queue); 500 to all.
        var burstArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _sink.Hold(endpoint.Path, burstArrived.Task, 500);
        var client = endpoint.Tenant.Client;

        // Eight deliveries claimed together and in flight together: five failures beyond the threshold.
        await PublishTogetherAsync(client, 8);
        var burst = await _sink.WaitForAsync(endpoint.Path, 8, Soon);
        burstArrived.SetResult();
        burst.Select(r => r.WebhookId).Distinct().Count().ShouldBe(8, "the burst is eight first attempts, no probe among them");
        await Infrastructure.Eventually.HoldsAsync(async () => await _system.ScalarAsync<int?>(
            "select consecutive_failures from webhook_endpoint_health where endpoint_id = @id", ("id", endpoint.Id)) >= 8, Soon, "eight failures recorded");
        (await HealthAsync(client, endpoint.Id)).GetProperty("circuit").GetProperty("state").GetString().ShouldBe("open");

        // Open for OpenFor (3 s) from the last failure, as after the threshold's own failure; they were not probes (6 s, the maximum).
        var probe = (await _sink.WaitForAsync(endpoint.Path, 9, Soon))[8];
        (probe.ReceivedAt - burst[^1].ReceivedAt).ShouldBeGreaterThan(CircuitBreakerFixture.OpenFor - Slack);
        (probe.ReceivedAt - burst[^1].ReceivedAt).ShouldBeLessThan(CircuitBreakerFixture.OpenFor * 2 - Slack, "the burst's failures counted as failed probes");
        // That probe failed: the next one waits twice as long.
        var next = (await _sink.WaitForAsync(endpoint.Path, 10, Soon))[9];
        (next.ReceivedAt - probe.ReceivedAt).ShouldBeGreaterThan(CircuitBreakerFixture.OpenFor * 2 - Slack);
    }

    [Fact]
    public async Task Deliveries_claimed_before_the_circuit_opened_are_not_sent_after_it_did()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink, ["invoice.paid"]);
        _sink.Respond(endpoint.Path, 500);

        // Sixty deliveries claimed together: the dispatcher holds them all before the first failure is recorded.
        await PublishTogetherAsync(endpoint.Tenant.Client, 60);
        await _sink.WaitForAsync(endpoint.Path, 3, Soon);
        await Task.Delay(CircuitBreakerFixture.OpenFor - TimeSpan.FromSeconds(1));

        // The threshold's three, and at most the endpoint's 16 connections' worth already in flight when the third failed.
        _sink.Received(endpoint.Path).Count.ShouldBeLessThanOrEqualTo(3 + 16, "deliveries waiting in the dispatcher went out after the circuit opened");
        (await _system.ScalarAsync<long>("select count(*) from webhook_delivery_queue where endpoint_id = @id", ("id", endpoint.Id))).ShouldBe(60,
            "every delivery is still pending");
    }

    [Fact]
    public async Task A_test_goes_through_an_open_circuit_and_its_success_closes_it()
    {
        var (endpoint, client, _, third) = await OpenCircuitAsync();

        _sink.Respond(endpoint.Path, 200);
        var testId = (await (await client.PostAsJsonAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/test", new { event_type = "invoice.paid" }))
            .ShouldBeJsonAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid().ToString();
        await Infrastructure.Eventually.HoldsAsync(() => Task.FromResult(_sink.Received(endpoint.Path).Any(r => r.WebhookId == testId)), Soon, "the test arrived");
        var test = _sink.Received(endpoint.Path).Single(r => r.WebhookId == testId);
        (test.ReceivedAt - third).ShouldBeLessThan(CircuitBreakerFixture.OpenFor - Slack, "the test waited for the circuit");

        // Closed by the test's success: the next event goes at once.
        var next = await client.PublishAsync();
        await client.WaitForDeliveryAsync(WebhookDeliveryDecider.DeliveryId(next, endpoint.Id), d => d.Status() == "succeeded", Soon, "delivered");
    }
}
