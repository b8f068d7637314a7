using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Integrations.Infrastructure.Security.ApiKeys;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Integrations.IntegrationTests.Api;

/// <summary>
/// API keys are authenticated from a per-process cache (ApiKeyCache); these prove it is used and that
/// every change reaches every API process: a revocation through another instance, a revocation
/// written straight into the table (the database's own NOTIFY), and a plan change (the plan is part
/// of who a key is: its rate limit).
/// </summary>
public sealed class ApiKeyCacheTests(TestSystem system) : IClassFixture<TestSystem>
{
    private static readonly TimeSpan NotifyDelay = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_key_is_authenticated_from_the_cache_once_seen()
    {
        var cache = system.Api.Services.GetRequiredService<ApiKeyCache>();
        cache.Clear();
        var tenant = await system.CreateTenantWithKeyAsync();
        (await tenant.Client.GetAsync($"/api/v1/tenants/{tenant.TenantId}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        cache.Count.ShouldBeGreaterThanOrEqualTo(1, "the key that just authenticated is kept");
    }

    [Fact]
    public async Task A_key_revoked_through_another_api_instance_is_refused_here_too()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (other, address) = await system.StartApiInstanceAsync();
        try
        {
            using var otherClient = Client(address, tenant.Key);
            (await tenant.Client.GetAsync($"/api/v1/tenants/{tenant.TenantId}")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await otherClient.GetAsync($"/api/v1/tenants/{tenant.TenantId}")).StatusCode.ShouldBe(HttpStatusCode.OK);

            (await otherClient.DeleteAsync($"/api/v1/tenants/{tenant.TenantId}/api-keys/{tenant.KeyId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

            (await otherClient.GetAsync($"/api/v1/tenants/{tenant.TenantId}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the instance that revoked forgets at once");
            await Eventually.HoldsAsync(async () => (await tenant.Client.GetAsync($"/api/v1/tenants/{tenant.TenantId}")).StatusCode == HttpStatusCode.Unauthorized,
                NotifyDelay, "the other instance hears of the revocation with its commit");
        }
        finally
        {
            await other.StopAsync();
            await other.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_revocation_written_straight_into_the_table_is_honoured()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        (await tenant.Client.GetAsync($"/api/v1/tenants/{tenant.TenantId}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await system.ExecuteAsync("update api_keys set revoked_at = now() where id = @id", ("id", tenant.KeyId));

        await Eventually.HoldsAsync(async () => (await tenant.Client.GetAsync($"/api/v1/tenants/{tenant.TenantId}")).StatusCode == HttpStatusCode.Unauthorized,
            NotifyDelay, "the table's trigger announces the change");
    }

    [Fact]
    public async Task A_plan_change_applies_to_the_next_request()
    {
        var tenant = await system.CreateTenantWithKeyAsync(plan: "pro");
        var before = await LimitAsync(tenant.Client, tenant.TenantId);

        (await system.Admin.PatchAsJsonAsync($"/api/v1/tenants/{tenant.TenantId}", new { plan = "enterprise" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var after = await LimitAsync(tenant.Client, tenant.TenantId);
        after.ShouldNotBe(before, "the enterprise plan's rate limit, not the cached pro plan's");
    }

    private static async Task<string> LimitAsync(HttpClient client, Guid tenantId)
    {
        using var response = await client.GetAsync($"/api/v1/tenants/{tenantId}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return response.Headers.GetValues("X-RateLimit-Limit").Single();
    }

    private static HttpClient Client(Uri address, string key)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
