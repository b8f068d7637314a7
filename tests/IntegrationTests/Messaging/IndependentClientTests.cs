using System.Text.Json;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Messaging;

/// <summary>The topic is a public contract (docs/kafka-topics.md): a client that is not ours reads it.</summary>
[Collection(MessagingCollection.Name)]
public sealed class IndependentClientTests : IAsyncLifetime
{
    private MessagingHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await MessagingHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Kcat_reads_the_event_with_its_key_and_headers()
    {
        await _harness.StartWorkerAsync();
        var tenant = await _harness.CreateTenantAsync();
        var eventId = await _harness.IngestAsync(tenant, 7);
        await _harness.WaitUntilDispatchedAsync([eventId], TimeSpan.FromSeconds(30));

        var kcat = await ProcessRunner.RunAsync("kcat",
            ["-C", "-b", _harness.Broker.BootstrapServers, "-t", MessagingHarness.EventsTopic, "-o", "beginning", "-e", "-J", "-q"],
            timeout: TimeSpan.FromSeconds(60));

        var record = kcat.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Single(r => JsonDocument.Parse(r.GetProperty("payload").GetString()!).RootElement.GetProperty("id").GetGuid() == eventId);
        record.GetProperty("key").GetString().ShouldBe(tenant.ToString());
        var headerList = record.GetProperty("headers").EnumerateArray().Select(h => h.GetString()!).ToList();
        var headers = Enumerable.Range(0, headerList.Count / 2).ToDictionary(i => headerList[2 * i], i => headerList[2 * i + 1]);
        headers["event-id"].ShouldBe(eventId.ToString());
        headers["tenant-id"].ShouldBe(tenant.ToString());
        headers["event-type"].ShouldBe("invoice.paid");
        headers["content-type"].ShouldBe("application/json");
        var envelope = JsonDocument.Parse(record.GetProperty("payload").GetString()!).RootElement;
        envelope.GetProperty("data").GetProperty("n").GetInt32().ShouldBe(7);
    }
}
