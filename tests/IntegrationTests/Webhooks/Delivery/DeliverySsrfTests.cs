using System.Net;
using System.Net.Http.Json;
using Integrations.Domain.Webhooks;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

/// <summary>
/// Endpoints registered while private targets were allowed (the API's setting), delivered by a
/// Workers host that does not allow them: what registration would refuse today, the dispatcher
/// refuses at connect time, as it would after a DNS change.
/// </summary>
public sealed class SsrfFixture() : DeliveryFixture(new WorkersLaterSystem())
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await System.StartWorkersAsync(new Dictionary<string, string?> { ["Webhooks:AllowPrivateNetworkTargets"] = "false" });
    }

    private sealed class WorkersLaterSystem : DeliverySystem
    {
        protected override bool StartWorkers => false;
    }
}

[Collection(DeliveryCollection.Name)]
public class DeliverySsrfTests(SsrfFixture fixture) : IClassFixture<SsrfFixture>
{
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    [Fact]
    public async Task Targets_that_are_not_public_are_refused_at_connect_time_and_receive_nothing()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var loopback = await _system.CreateEndpointAsync(_sink, tenant: tenant);
        var byName = await CreateAsync(tenant, $"http://localhost:{_sink.BaseAddress.Port}/by-name");
        var metadata = await CreateAsync(tenant, "http://169.254.169.254/latest/meta-data/");
        var mapped = await CreateAsync(tenant, $"http://[::ffff:127.0.0.1]:{_sink.BaseAddress.Port}/mapped");

        var eventId = await tenant.Client.PublishAsync();
        foreach (var endpointId in new[] { loopback.Id, byName, metadata, mapped })
        {
            var delivery = await tenant.Client.WaitForDeliveryAsync(WebhookDeliveryDecider.DeliveryId(eventId, endpointId),
                d => d.GetProperty("attempt_count").GetInt32() >= 1, TimeSpan.FromSeconds(20), "the first attempt was made");
            var attempt = delivery.Attempts()[0];
            attempt.GetProperty("error_kind").GetString().ShouldBe("ssrf_blocked");
            attempt.GetProperty("status_code").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        }
        _sink.Received(loopback.Path).ShouldBeEmpty();
        _sink.Received("/by-name").ShouldBeEmpty();
        _sink.Received("/mapped").ShouldBeEmpty();
    }

    private static async Task<Guid> CreateAsync(Infrastructure.TenantWithKey tenant, string url) =>
        (await (await tenant.Client.PostAsJsonAsync("/api/v1/webhook-endpoints", new { url, event_types = new[] { "*" }, rate_limit_per_minute = DeliveryApi.Unpaced }))
            .ShouldBeJsonAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
}
