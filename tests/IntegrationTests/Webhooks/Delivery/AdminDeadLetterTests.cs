using System.Net;
using System.Net.Http.Json;
using Integrations.Domain.Webhooks;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

/// <summary>The operator's dead-letter queue across tenants: GET /api/v1/admin/dead-letters and a tenant's replay.</summary>
[Collection(DeliveryCollection.Name)]
public class AdminDeadLetterTests(DeliveryFixture fixture)
{
    private static readonly TimeSpan UntilDeadLettered = TimeSpan.FromSeconds(30);
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    [Fact]
    public async Task The_operator_sees_dead_letters_per_tenant_worst_first_and_replays_one_tenants_only()
    {
        var a = await _system.CreateEndpointAsync(_sink);
        var b = await _system.CreateEndpointAsync(_sink);
        _sink.Respond(a.Path, 500);
        _sink.Respond(b.Path, 500);
        var ofA = new List<Guid>();
        for (var i = 0; i < 3; i++) ofA.Add(WebhookDeliveryDecider.DeliveryId(await a.Tenant.Client.PublishAsync(), a.Id));
        var ofB = WebhookDeliveryDecider.DeliveryId(await b.Tenant.Client.PublishAsync(), b.Id);
        foreach (var id in ofA) await a.Tenant.Client.WaitForDeliveryAsync(id, d => d.Status() == "failed", UntilDeadLettered, "A's delivery dead-lettered");
        await b.Tenant.Client.WaitForDeliveryAsync(ofB, d => d.Status() == "failed", UntilDeadLettered, "B's delivery dead-lettered");

        var listed = (await (await _system.Admin.GetAsync("/api/v1/admin/dead-letters")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().ToList();
        var rowOfA = listed.FindIndex(t => t.GetProperty("tenant_id").GetGuid() == a.Tenant.TenantId);
        var rowOfB = listed.FindIndex(t => t.GetProperty("tenant_id").GetGuid() == b.Tenant.TenantId);
        rowOfA.ShouldBeGreaterThanOrEqualTo(0);
        rowOfB.ShouldBeGreaterThan(rowOfA, "more dead letters come first");
        listed[rowOfA].GetProperty("dead_letters").GetInt64().ShouldBe(3);
        listed[rowOfA].GetProperty("endpoints").GetInt32().ShouldBe(1);
        listed[rowOfB].GetProperty("dead_letters").GetInt64().ShouldBe(1);
        listed.Select(t => t.GetProperty("dead_letters").GetInt64()).ShouldBeInOrder(SortDirection.Descending);

        await (await a.Tenant.Client.GetAsync("/api/v1/admin/dead-letters")).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await a.Tenant.Client.PostAsync($"/api/v1/admin/tenants/{a.Tenant.TenantId}/dead-letters/replay", null))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await _system.Admin.PostAsJsonAsync($"/api/v1/admin/tenants/{a.Tenant.TenantId}/dead-letters/replay", new { since = DateTimeOffset.UtcNow.AddHours(1) }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await _system.Admin.PostAsync($"/api/v1/admin/tenants/{Guid.NewGuid()}/dead-letters/replay", null))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");

        _sink.Respond(a.Path, 200);
        _sink.Respond(b.Path, 200);
        var replayed = await (await _system.Admin.PostAsync($"/api/v1/admin/tenants/{a.Tenant.TenantId}/dead-letters/replay", null))
            .ShouldBeJsonAsync(HttpStatusCode.Accepted);
        replayed.GetProperty("requeued").GetInt32().ShouldBe(3);
        replayed.GetProperty("endpoints").GetInt32().ShouldBe(1);
        foreach (var id in ofA) await a.Tenant.Client.WaitForDeliveryAsync(id, d => d.Status() == "succeeded", UntilDeadLettered, "A's replayed delivery succeeded");
        (await b.Tenant.Client.WaitForDeliveryAsync(ofB, _ => true, UntilDeadLettered, "B's delivery read")).Status().ShouldBe("failed", "another tenant's dead letters stay");
        var after = (await (await _system.Admin.GetAsync("/api/v1/admin/dead-letters")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray();
        after.Any(t => t.GetProperty("tenant_id").GetGuid() == a.Tenant.TenantId).ShouldBeFalse();
    }
}
