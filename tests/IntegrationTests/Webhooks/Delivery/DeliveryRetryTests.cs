using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.Domain.Webhooks;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

[Collection(DeliveryCollection.Name)]
public class DeliveryRetryTests(DeliveryFixture fixture)
{
    private static readonly TimeSpan[] Schedule = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)];
    private static readonly TimeSpan UntilDeadLettered = TimeSpan.FromSeconds(30);
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    [Fact]
    public async Task Failures_are_retried_on_the_schedule_then_dead_lettered_and_a_retry_replays_with_the_same_webhook_id()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink);
        _sink.RespondInTurn(endpoint.Path, 500, 503, 500, 500, 200);
        var client = endpoint.Tenant.Client;
        var deliveryId = WebhookDeliveryDecider.DeliveryId(await client.PublishAsync(), endpoint.Id);

        var failed = await client.WaitForDeliveryAsync(deliveryId, d => d.Status() == "failed", UntilDeadLettered, "dead-lettered after the last retry");
        failed.GetProperty("failure_reason").GetString().ShouldBe("retries_exhausted");
        failed.GetProperty("next_attempt_at").ValueKind.ShouldBe(JsonValueKind.Null);
        failed.GetProperty("attempt_count").GetInt32().ShouldBe(4);
        var attempts = failed.Attempts();
        attempts.Select(a => a.GetProperty("status_code").GetInt32()).ShouldBe([500, 503, 500, 500]);
        attempts.ShouldAllBe(a => !a.GetProperty("succeeded").GetBoolean());
        var started = attempts.Select(a => a.GetProperty("started_at").GetDateTimeOffset()).ToList();
        // The attempts come from the delivery's stream, the delivery from its log row: the same instant, written the same way.
        attempts[^1].GetProperty("started_at").GetString().ShouldBe(failed.GetProperty("last_attempt_at").GetString());
        for (var i = 0; i < Schedule.Length; i++)
        {
            // Never early (±10 % jitter); late by at most the time to record the result and claim the retry on a busy machine.
            var gap = started[i + 1] - started[i];
            gap.ShouldBeInRange(Schedule[i] * 0.9 - TimeSpan.FromMilliseconds(50), Schedule[i] * 1.1 + TimeSpan.FromSeconds(2.5),
                $"gap before retry {i + 1}");
        }
        _sink.Received(endpoint.Path).Select(r => r.WebhookId).ShouldAllBe(id => id == deliveryId.ToString());

        var deadLetters = await (await client.GetAsync("/api/v1/webhook-deliveries?status=failed")).ShouldBeJsonAsync(HttpStatusCode.OK);
        deadLetters.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("id").GetGuid()).ShouldBe([deliveryId]);

        var retried = await (await client.PostAsync($"/api/v1/webhook-deliveries/{deliveryId}/retry", null)).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        retried.Status().ShouldBe("pending");
        var succeeded = await client.WaitForDeliveryAsync(deliveryId, d => d.Status() == "succeeded", TimeSpan.FromSeconds(15), "the replay succeeded");
        succeeded.GetProperty("attempt_count").GetInt32().ShouldBe(5);
        succeeded.GetProperty("failure_reason").ValueKind.ShouldBe(JsonValueKind.Null);
        _sink.Received(endpoint.Path).Count.ShouldBe(5);
        _sink.Received(endpoint.Path).ShouldAllBe(r => r.WebhookId == deliveryId.ToString());

        await (await client.PostAsync($"/api/v1/webhook-deliveries/{deliveryId}/retry", null))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "webhook_delivery_succeeded");
    }

    [Fact]
    public async Task A_retry_after_on_429_is_honoured_when_longer_than_the_schedule()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink);
        var answered = 0;
        _sink.Respond(endpoint.Path, (_, _) => Task.FromResult(Interlocked.Increment(ref answered) == 1
            ? new SinkResponse(429, "slow down", new Dictionary<string, string> { ["Retry-After"] = "3" })
            : new SinkResponse(200)));
        var deliveryId = WebhookDeliveryDecider.DeliveryId(await endpoint.Tenant.Client.PublishAsync(), endpoint.Id);

        var delivery = await endpoint.Tenant.Client.WaitForDeliveryAsync(deliveryId, d => d.Status() == "succeeded", TimeSpan.FromSeconds(15), "delivered after the wait asked for");
        var started = delivery.Attempts().Select(a => a.GetProperty("started_at").GetDateTimeOffset()).ToList();
        (started[1] - started[0]).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2.95), "Retry-After: 3 beats the 1 s of the schedule");
    }

    [Fact]
    public async Task Recover_requeues_every_dead_letter_of_the_endpoint_since_a_time_in_pages()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink);
        var client = endpoint.Tenant.Client;
        _sink.Respond(endpoint.Path, 500);
        var before = await PublishManyAsync(client, 3);
        await WaitUntilFailedAsync(client, endpoint, before);

        var since = DateTimeOffset.UtcNow;
        // More than one page of the recover (500), all dead-lettered after `since`.
        var after = await PublishManyAsync(client, 510);
        await WaitUntilFailedAsync(client, endpoint, after);

        _sink.Respond(endpoint.Path, 200);
        var recovered = await (await client.PostAsJsonAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/recover", new { since }))
            .ShouldBeJsonAsync(HttpStatusCode.Accepted);
        recovered.GetProperty("requeued").GetInt32().ShouldBe(after.Count);

        var expected = after.Select(e => WebhookDeliveryDecider.DeliveryId(e, endpoint.Id).ToString()).ToHashSet();
        await Infrastructure.Eventually.HoldsAsync(() => Task.FromResult(
                _sink.Received(endpoint.Path).Where(r => r.Headers.ContainsKey("webhook-id")).Count(r => expected.Contains(r.WebhookId)) >= after.Count * 5),
            TimeSpan.FromSeconds(60), "every recovered delivery was sent once more");
        var stillFailed = await (await client.GetAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/deliveries?status=failed&limit=100")).ShouldBeJsonAsync(HttpStatusCode.OK);
        stillFailed.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("event_id").GetGuid()).ToHashSet().SetEquals(before).ShouldBeTrue();

        await (await client.PostAsJsonAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/recover", new { since = DateTimeOffset.UtcNow.AddHours(1) }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        var stranger = await _system.CreateTenantWithKeyAsync();
        await (await stranger.Client.PostAsJsonAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/recover", new { since }))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "webhook_endpoint_not_found");
    }

    private static async Task<IReadOnlyList<Guid>> PublishManyAsync(HttpClient client, int count)
    {
        var ids = new List<Guid>();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(25))
            ids.AddRange(await Task.WhenAll(chunk.Select(_ => client.PublishAsync())));
        return ids;
    }

    private static Task WaitUntilFailedAsync(HttpClient client, CreatedEndpoint endpoint, IReadOnlyList<Guid> events) =>
        Infrastructure.Eventually.HoldsAsync(async () =>
        {
            var last = WebhookDeliveryDecider.DeliveryId(events[^1], endpoint.Id);
            var response = await client.GetAsync($"/api/v1/webhook-deliveries/{last}");
            if (response.StatusCode != HttpStatusCode.OK || JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Status() != "failed") return false;
            var pending = await (await client.GetAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/deliveries?status=pending&limit=1")).ShouldBeJsonAsync(HttpStatusCode.OK);
            return pending.GetProperty("data").GetArrayLength() == 0;
        }, UntilDeadLettered, $"{events.Count} deliveries dead-lettered");
}
