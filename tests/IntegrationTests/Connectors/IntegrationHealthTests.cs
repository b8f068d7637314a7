using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.Connectors;

/// <summary>The operator view, GET /api/v1/admin/integration-health: across tenants, worst first, for the admin key only.</summary>
[Collection(ConnectorsCollection.Name)]
public sealed class IntegrationHealthTests(ConnectorsSystem system) : IAsyncLifetime
{
    public Task InitializeAsync() => system.ResetFakeAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_operator_sees_a_failing_connection_before_a_healthy_one_with_its_circuit_error_rate_and_backlog_and_every_webhook_endpoint()
    {
        var tenant = await system.TenantAsync();
        var (healthy, key) = await system.ConnectApiKeyAsync(tenant.Client);
        var (failing, _) = await system.ConnectApiKeyAsync(tenant.Client);
        await ConnectorsSystem.RecordsRouteAsync(tenant.Client, healthy, "well-");
        await ConnectorsSystem.RecordsRouteAsync(tenant.Client, failing, "ill-");
        await system.Fake.Control.AddFaultAsync(new FakeFault("/api/records/ill-", Count: null, Status: 500));
        var endpoint = await (await tenant.Client.PostAsJsonAsync("/api/v1/webhook-endpoints",
            new { url = "http://127.0.0.1:9/hooks", event_types = new[] { "invoice.failed" } })).ShouldBeJsonAsync(HttpStatusCode.Created);

        for (var i = 0; i < 6; i++) await tenant.Client.PublishAsync(data: ConnectorsSystem.Invoice($"in_health{i}", i));
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, healthy, c => c.Count == 6 && c.All(x => x.Status() == "succeeded"), TimeSpan.FromSeconds(30), "healthy done");
        // A run's attempts are recorded when it ends (sent, dead-lettered, or back to the ledger to wait).
        await Eventually.HoldsAsync(async () => await system.ScalarAsync<string?>(
                "select circuit_state from connector_connection_state where connection_id = @c", ("c", failing)) is "open" or "half_open"
            && await system.ScalarAsync<long>("select count(*) from connector_call_attempts where connection_id = @c and sent", ("c", failing)) >= 5,
            TimeSpan.FromSeconds(30), "the failing connection's circuit opened and its attempts were recorded");

        using var answer = await system.Admin.GetAsync("/api/v1/admin/integration-health");
        var text = await answer.Content.ReadAsStringAsync();
        answer.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        text.ShouldNotContain(key);
        var view = JsonDocument.Parse(text).RootElement;
        var connections = view.GetProperty("connections").EnumerateArray().ToList();
        var ill = connections.FindIndex(c => c.GetProperty("connection_id").GetGuid() == failing);
        var well = connections.FindIndex(c => c.GetProperty("connection_id").GetGuid() == healthy);
        ill.ShouldBeGreaterThanOrEqualTo(0);
        well.ShouldBeGreaterThan(ill, "worst first");

        var bad = connections[ill];
        bad.GetProperty("tenant_id").GetGuid().ShouldBe(tenant.TenantId);
        bad.GetProperty("provider").GetString().ShouldBe("http");
        bad.GetProperty("status").GetString().ShouldBe("connected");
        bad.GetProperty("circuit").GetProperty("state").GetString().ShouldBeOneOf("open", "half_open");
        bad.GetProperty("circuit").GetProperty("opened_at").ValueKind.ShouldBe(JsonValueKind.String);
        bad.GetProperty("last_hour").GetProperty("error_rate").GetDouble().ShouldBe(1.0);
        bad.GetProperty("last_hour").GetProperty("calls").GetInt32().ShouldBeGreaterThanOrEqualTo(5);
        (bad.GetProperty("queue_depth").GetInt64() + bad.GetProperty("dead_letters").GetInt64()).ShouldBe(6);
        bad.GetProperty("last_success_at").ValueKind.ShouldBe(JsonValueKind.Null);

        var good = connections[well];
        good.GetProperty("circuit").GetProperty("state").GetString().ShouldBe("closed");
        good.GetProperty("last_hour").GetProperty("calls").GetInt32().ShouldBe(6);
        good.GetProperty("last_hour").GetProperty("error_rate").GetDouble().ShouldBe(0.0);
        good.GetProperty("last_success_at").ValueKind.ShouldBe(JsonValueKind.String);
        good.GetProperty("queue_depth").GetInt64().ShouldBe(0);
        good.GetProperty("refresh_failures").GetInt32().ShouldBe(0);

        var http = view.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("provider").GetString() == "http");
        http.GetProperty("open_circuits").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
        http.GetProperty("connections").GetInt32().ShouldBeGreaterThanOrEqualTo(2);
        var hook = view.GetProperty("webhook_endpoints").EnumerateArray().Single(e => e.GetProperty("health").GetProperty("endpoint_id").GetGuid() == endpoint.GetProperty("id").GetGuid());
        hook.GetProperty("tenant_id").GetGuid().ShouldBe(tenant.TenantId);
        hook.GetProperty("health").GetProperty("status").GetString().ShouldBe("enabled");

        // The tenant's row sums its connections and endpoints; it is ahead of tenants without an open breaker.
        var mine = connections.Where(c => c.GetProperty("tenant_id").GetGuid() == tenant.TenantId).ToList();
        var tenants = view.GetProperty("tenants").EnumerateArray().ToList();
        var row = tenants.Single(t => t.GetProperty("tenant_id").GetGuid() == tenant.TenantId);
        row.GetProperty("connections").GetInt32().ShouldBe(mine.Count);
        row.GetProperty("connection_dead_letters").GetInt64().ShouldBe(mine.Sum(c => c.GetProperty("dead_letters").GetInt64()));
        row.GetProperty("open_circuits").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
        row.GetProperty("webhook_endpoints").GetInt32().ShouldBe(view.GetProperty("webhook_endpoints").EnumerateArray().Count(e => e.GetProperty("tenant_id").GetGuid() == tenant.TenantId));
        tenants.TakeWhile(t => t.GetProperty("tenant_id").GetGuid() != tenant.TenantId).ShouldAllBe(t => t.GetProperty("open_circuits").GetInt32() >= 1, "worst first");

        // Tenants do not see it.
        (await tenant.Client.GetAsync("/api/v1/admin/integration-health")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await system.Fake.Control.ClearFaultsAsync();
    }
}
