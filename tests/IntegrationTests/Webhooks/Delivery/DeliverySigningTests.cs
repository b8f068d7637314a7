using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Integrations.Domain.EventTypes;
using Integrations.Domain.Webhooks;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

[Collection(DeliveryCollection.Name)]
public class DeliverySigningTests(DeliveryFixture fixture)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    [Fact]
    public async Task An_event_arrives_as_a_signed_post_that_an_independent_standard_webhooks_library_verifies()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink, ["invoice.paid"]);
        var data = new { invoice_id = "in_signed", amount_cents = 1999, currency = "EUR", note = "ünïcødé ✓" };
        var eventId = await endpoint.Tenant.Client.PublishAsync("invoice.paid", data);

        var request = (await _sink.WaitForAsync(endpoint.Path, 1, Soon)).Single();
        var webhookId = WebhookDeliveryDecider.DeliveryId(eventId, endpoint.Id).ToString();
        request.Headers["content-type"].ShouldStartWith("application/json");
        request.Headers["user-agent"].ShouldBe("Integrations-Webhooks/1");
        request.Headers["x-webhook-id"].ShouldBe(webhookId);
        request.WebhookId.ShouldBe(webhookId);
        long.Parse(request.Headers["webhook-timestamp"]).ShouldBeInRange(DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        request.Headers["webhook-signature"].ShouldStartWith("v1,");

        var body = request.Json;
        body.EnumerateObject().Select(p => p.Name).ShouldBe(["id", "event_type", "timestamp", "data", "webhook_id", "endpoint_id"]);
        body.GetProperty("id").GetGuid().ShouldBe(eventId);
        body.GetProperty("event_type").GetString().ShouldBe("invoice.paid");
        body.GetProperty("webhook_id").GetString().ShouldBe(webhookId);
        body.GetProperty("endpoint_id").GetGuid().ShouldBe(endpoint.Id);
        body.GetProperty("timestamp").GetDateTimeOffset().ShouldBe(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        body.GetProperty("data").GetProperty("note").GetString().ShouldBe("ünïcødé ✓");
        body.GetProperty("data").GetProperty("amount_cents").GetInt32().ShouldBe(1999);

        (await StandardWebhooksVerifier.VerifyAsync(request, endpoint.Secret)).ShouldBe("verified");
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(request.Body).Replace("1999", "9999"));
        (await StandardWebhooksVerifier.VerifyAsync(request, endpoint.Secret, tampered)).ShouldStartWith("rejected");
        (await StandardWebhooksVerifier.VerifyAsync(request, WebhookSignature.NewSecret())).ShouldStartWith("rejected");
    }

    [Fact]
    public async Task The_delivery_log_records_the_attempt_and_the_outcome_is_published_without_the_payload()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink);
        _sink.Respond(endpoint.Path, 202, "accepted, thanks");
        var eventId = await endpoint.Tenant.Client.PublishAsync();
        var deliveryId = WebhookDeliveryDecider.DeliveryId(eventId, endpoint.Id);

        var delivery = await endpoint.Tenant.Client.WaitForDeliveryAsync(deliveryId, d => d.Status() == "succeeded", Soon, "the delivery succeeded");
        delivery.GetProperty("event_id").GetGuid().ShouldBe(eventId);
        delivery.GetProperty("endpoint_id").GetGuid().ShouldBe(endpoint.Id);
        delivery.GetProperty("event_type").GetString().ShouldBe("invoice.paid");
        delivery.GetProperty("is_test").GetBoolean().ShouldBeFalse();
        delivery.GetProperty("attempt_count").GetInt32().ShouldBe(1);
        delivery.GetProperty("last_status_code").GetInt32().ShouldBe(202);
        var attempt = delivery.Attempts().ShouldHaveSingleItem();
        attempt.GetProperty("attempt").GetInt32().ShouldBe(1);
        attempt.GetProperty("status_code").GetInt32().ShouldBe(202);
        attempt.GetProperty("response_body_excerpt").GetString().ShouldBe("accepted, thanks");
        attempt.GetProperty("duration_ms").GetInt32().ShouldBeGreaterThanOrEqualTo(0);
        attempt.GetProperty("error_kind").ValueKind.ShouldBe(JsonValueKind.Null);
        attempt.GetProperty("succeeded").GetBoolean().ShouldBeTrue();

        var outcome = _system.ReadOutcomes(read => read.Any(m => m.Message.Value.Contains(deliveryId.ToString())), Soon)
            .Single(m => m.Message.Value.Contains(deliveryId.ToString()));
        outcome.Message.Key.ShouldBe(endpoint.Tenant.TenantId.ToString());
        var value = JsonDocument.Parse(outcome.Message.Value).RootElement;
        value.GetProperty("schema_version").GetInt32().ShouldBe(1);
        value.GetProperty("event_id").GetGuid().ShouldBe(eventId);
        value.GetProperty("endpoint_id").GetGuid().ShouldBe(endpoint.Id);
        value.GetProperty("attempt").GetInt32().ShouldBe(1);
        value.GetProperty("status").GetString().ShouldBe("succeeded");
        value.GetProperty("status_code").GetInt32().ShouldBe(202);
        value.TryGetProperty("data", out _).ShouldBeFalse();
        outcome.Message.Value.ShouldNotContain(endpoint.Secret[6..]);
    }

    [Fact]
    public async Task A_test_send_delivers_the_catalog_sample_signed_and_marked_as_a_test()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink, ["invoice.paid"]);
        var response = await endpoint.Tenant.Client.PostAsJsonAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/test", new { event_type = "user.invited" });
        var delivery = await response.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var deliveryId = delivery.GetProperty("id").GetGuid();
        delivery.GetProperty("is_test").GetBoolean().ShouldBeTrue();
        response.Headers.Location!.ToString().ShouldBe($"/api/v1/webhook-deliveries/{deliveryId}");

        var request = (await _sink.WaitForAsync(endpoint.Path, 1, Soon)).Single();
        request.WebhookId.ShouldBe(deliveryId.ToString());
        request.Json.GetProperty("event_type").GetString().ShouldBe("user.invited");
        request.Json.GetProperty("data").GetRawText().ShouldBe(JsonDocument.Parse(EventTypeCatalog.Find("user.invited")!.Sample).RootElement.GetRawText());
        (await StandardWebhooksVerifier.VerifyAsync(request, endpoint.Secret)).ShouldBe("verified");
        (await endpoint.Tenant.Client.WaitForDeliveryAsync(deliveryId, d => d.Status() == "succeeded", Soon, "the test delivery is logged"))
            .GetProperty("is_test").GetBoolean().ShouldBeTrue();

        await (await endpoint.Tenant.Client.PostAsJsonAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/test", new { event_type = "invoice.refunded" }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
    }
}
