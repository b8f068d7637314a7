using System.Text;
using System.Text.Json;
using Shouldly;

namespace Integrations.IntegrationTests.Messaging;

[Collection(MessagingCollection.Name)]
public sealed class OutboxToKafkaTests : IAsyncLifetime
{
    private MessagingHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await MessagingHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task An_ingested_event_is_published_with_key_envelope_and_headers_then_dispatched_and_completed()
    {
        await _harness.StartWorkerAsync();
        var tenantId = await _harness.CreateTenantAsync();

        var eventId = await _harness.IngestAsync(tenantId, 1);

        var read = _harness.ReadTopic(r => r.Any(m => m.Message.Value.Contains(eventId.ToString())), TimeSpan.FromSeconds(30));
        var message = read.Single(m => m.Message.Value.Contains(eventId.ToString())).Message;
        message.Key.ShouldBe(tenantId.ToString());
        var envelope = JsonDocument.Parse(message.Value).RootElement;
        envelope.GetProperty("id").GetGuid().ShouldBe(eventId);
        envelope.GetProperty("tenant_id").GetGuid().ShouldBe(tenantId);
        envelope.GetProperty("event_type").GetString().ShouldBe("invoice.paid");
        envelope.GetProperty("schema_version").GetInt32().ShouldBe(1);
        envelope.GetProperty("data").GetProperty("invoice_id").GetString().ShouldBe("in_1");
        string Header(string name) => Encoding.UTF8.GetString(message.Headers.GetLastBytes(name));
        Header("event-id").ShouldBe(eventId.ToString());
        Header("event-type").ShouldBe("invoice.paid");
        Header("tenant-id").ShouldBe(tenantId.ToString());
        Header("schema-version").ShouldBe("1");
        Header("content-type").ShouldBe("application/json");
        Header("correlation-id").ShouldNotBeNullOrWhiteSpace();
        long.Parse(Header("sequence")).ShouldBeGreaterThan(0);

        await _harness.WaitUntilDispatchedAsync([eventId], TimeSpan.FromSeconds(30));
        (await _harness.CountAsync("select count(*) from outbox where message_id = @id and published_at is not null and publish_count = 1",
            ("id", eventId))).ShouldBe(1);
    }
}
