using System.Net;
using System.Net.Http.Json;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Api;

/// <summary>Another tenant's resources are "not found" (404), never a leak and never a 403 that confirms they exist.</summary>
public class TenantIsolationTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task A_tenant_sees_only_its_own_events_and_tenant()
    {
        var a = await system.CreateTenantWithKeyAsync();
        var b = await system.CreateTenantWithKeyAsync();
        var aEvent = (await (await a.Client.PostAsJsonAsync("/api/v1/events", new { event_type = "entity.created", data = new { entity_id = "a1" } }))
            .ShouldBeJsonAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await b.Client.PostAsJsonAsync("/api/v1/events", new { event_type = "entity.created", data = new { entity_id = "b1" } });

        var bList = await (await b.Client.GetAsync("/api/v1/events")).ShouldBeJsonAsync(HttpStatusCode.OK);
        bList.GetProperty("data").EnumerateArray().ShouldAllBe(e => e.GetProperty("tenant_id").GetGuid() == b.TenantId);
        bList.GetProperty("data").GetArrayLength().ShouldBe(1);

        await (await b.Client.GetAsync($"/api/v1/events/{aEvent}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "event_not_found");
        await (await b.Client.GetAsync($"/api/v1/events?tenant_id={a.TenantId}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");
        await (await b.Client.GetAsync($"/api/v1/tenants/{a.TenantId}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");
        await (await b.Client.GetAsync($"/api/v1/tenants/{a.TenantId}/api-keys")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");
        (await (await a.Client.GetAsync($"/api/v1/events/{aEvent}")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("tenant_id").GetGuid().ShouldBe(a.TenantId);
    }

    [Fact]
    public async Task A_tenant_cannot_write_into_another_tenant()
    {
        var a = await system.CreateTenantWithKeyAsync();
        var b = await system.CreateTenantWithKeyAsync();

        await (await b.Client.PostAsJsonAsync("/api/v1/events", new { event_type = "entity.created", data = new { }, tenant_id = a.TenantId }))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");

        (await system.ScalarAsync<long>("select count(*) from events where tenant_id = @t", ("t", a.TenantId))).ShouldBe(0);
    }

    [Fact]
    public async Task Kafka_messages_are_keyed_by_their_own_tenant()
    {
        var a = await system.CreateTenantWithKeyAsync();
        var b = await system.CreateTenantWithKeyAsync();
        await a.Client.PostAsJsonAsync("/api/v1/events", new { event_type = "entity.deleted", data = new { entity_id = "x" } });
        await b.Client.PostAsJsonAsync("/api/v1/events", new { event_type = "entity.deleted", data = new { entity_id = "y" } });

        (await system.ScalarAsync<long>("""
            select count(*) from outbox o join events e on e.id = o.message_id
            where o.message_key <> e.tenant_id::text or (o.payload::jsonb->>'tenant_id') <> e.tenant_id::text
            """)).ShouldBe(0);
        (await system.ScalarAsync<long>("select count(*) from outbox where message_key in (@a, @b)", ("a", a.TenantId.ToString()), ("b", b.TenantId.ToString()))).ShouldBe(2);
    }
}
