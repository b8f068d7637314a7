using System.Net;
using Integrations.Domain.Webhooks;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

/// <summary>GET /api/v1/admin/delivery-stats: success rate and latency over time from the delivery statistics.</summary>
[Collection(DeliveryCollection.Name)]
public class AdminDeliveryStatsTests(DeliveryFixture fixture)
{
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    [Fact]
    public async Task A_tenants_attempts_are_summed_into_buckets_with_success_rate_and_latency()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink);
        // Three deliveries, the third failing once: 4 attempts, 3 succeeded.
        _sink.RespondInTurn(endpoint.Path, 200, 200, 500, 200);
        var client = endpoint.Tenant.Client;
        var ids = new List<Guid>();
        foreach (var _ in Enumerable.Range(0, 3))
        {
            ids.Add(WebhookDeliveryDecider.DeliveryId(await client.PublishAsync(), endpoint.Id));
            await client.WaitForDeliveryAsync(ids[^1], d => d.Attempts().Count > 0, TimeSpan.FromSeconds(30), "attempted");
        }
        foreach (var id in ids) await client.WaitForDeliveryAsync(id, d => d.Status() == "succeeded", TimeSpan.FromSeconds(30), "succeeded");

        var stats = await (await _system.Admin.GetAsync($"/api/v1/admin/delivery-stats?window=1h&tenant_id={endpoint.Tenant.TenantId}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        stats.GetProperty("bucket_seconds").GetInt32().ShouldBe(300);
        var points = stats.GetProperty("points").EnumerateArray().ToList();
        points.Count.ShouldBe(12);
        points.Select(p => p.GetProperty("start").GetDateTimeOffset()).ShouldBeInOrder(SortDirection.Ascending);
        (points[^1].GetProperty("start").GetDateTimeOffset() - points[0].GetProperty("start").GetDateTimeOffset()).ShouldBe(TimeSpan.FromMinutes(55));
        points.Sum(p => p.GetProperty("attempts").GetInt64()).ShouldBe(4);
        points.Sum(p => p.GetProperty("succeeded").GetInt64()).ShouldBe(3);
        var busy = points.Where(p => p.GetProperty("attempts").GetInt64() > 0).ToList();
        busy.ShouldAllBe(p => p.GetProperty("average_duration_ms").GetDouble() >= 0 && p.GetProperty("max_duration_ms").GetInt32() >= 0);
        if (busy.Count == 1) busy[0].GetProperty("success_rate").GetDouble().ShouldBe(0.75, 1e-9);
        points.Where(p => p.GetProperty("attempts").GetInt64() == 0).ShouldAllBe(p => p.GetProperty("success_rate").ValueKind == System.Text.Json.JsonValueKind.Null);

        var day = await (await _system.Admin.GetAsync("/api/v1/admin/delivery-stats")).ShouldBeJsonAsync(HttpStatusCode.OK);
        day.GetProperty("window").GetString().ShouldBe("24h");
        day.GetProperty("points").GetArrayLength().ShouldBe(24);
        day.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("attempts").GetInt64()).ShouldBeGreaterThanOrEqualTo(4, "every tenant's attempts");

        await (await _system.Admin.GetAsync("/api/v1/admin/delivery-stats?window=7d")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await _system.Admin.GetAsync($"/api/v1/admin/delivery-stats?tenant_id={Guid.NewGuid()}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");
        await (await client.GetAsync("/api/v1/admin/delivery-stats")).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}
