using System.Net;
using System.Net.Http.Json;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Api;

/// <summary>Small quotas so that the tests reach them quickly; the counters live in PostgreSQL (the default store).</summary>
public sealed class RateLimitedSystem : TestSystem
{
    protected override bool StartWorkers => false;

    protected override IDictionary<string, string?> ExtraConfiguration => new Dictionary<string, string?>
    {
        ["RateLimits:Plans:starter"] = "5",
        ["RateLimits:Plans:pro"] = "8",
        ["RateLimits:Anonymous"] = "3",
    };
}

/// <summary>Per-tenant quotas by plan (ADR 0007): headers on every response, 429 in the error format, shared by all keys and all API instances.</summary>
public class RateLimitTests(RateLimitedSystem system) : IClassFixture<RateLimitedSystem>
{
    [Fact]
    public async Task Every_response_carries_the_quota_and_going_over_it_is_429_with_retry_after()
    {
        var tenant = await NewTenantInAFreshWindowAsync("starter");

        for (var i = 1; i <= 5; i++)
        {
            var ok = await tenant.Client.GetAsync("/api/v1/events");
            ok.StatusCode.ShouldBe(HttpStatusCode.OK);
            Header(ok, "X-RateLimit-Limit").ShouldBe("5");
            Header(ok, "X-RateLimit-Remaining").ShouldBe((5 - i).ToString());
            int.Parse(Header(ok, "X-RateLimit-Reset")).ShouldBeInRange(1, 60);
        }
        // Over the quota, every request is refused before it is even validated.
        var invalid = await tenant.Client.GetAsync("/api/v1/events?limit=0");
        await invalid.ShouldBeErrorAsync(HttpStatusCode.TooManyRequests, "rate_limited");

        var limited = await tenant.Client.PostAsJsonAsync("/api/v1/events", new { event_type = "user.joined", data = new { user_id = "u" } });
        var error = await limited.ShouldBeErrorAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        error.GetProperty("message").GetString()!.ShouldContain("5");
        Header(limited, "X-RateLimit-Limit").ShouldBe("5");
        Header(limited, "X-RateLimit-Remaining").ShouldBe("0");
        var retryAfter = int.Parse(Header(limited, "Retry-After"));
        retryAfter.ShouldBeInRange(1, 60);
        Header(limited, "X-RateLimit-Reset").ShouldBe(retryAfter.ToString());
        limited.Headers.Contains("X-Request-Id").ShouldBeTrue();
        (await system.ScalarAsync<long>("select count(*) from events where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0, "a limited request does nothing");

        // Health probes and the documentation are outside the API surface and never limited.
        var live = await tenant.Client.GetAsync("/health/live");
        live.StatusCode.ShouldBe(HttpStatusCode.OK);
        live.Headers.Contains("X-RateLimit-Limit").ShouldBeFalse();
    }

    [Fact]
    public async Task All_keys_of_a_tenant_share_one_quota_and_other_tenants_are_unaffected()
    {
        var tenant = await NewTenantInAFreshWindowAsync("starter");
        var second = await system.Admin.PostAsync($"/api/v1/tenants/{tenant.TenantId}/api-keys", null);
        var secondKey = system.Client((await second.ShouldBeJsonAsync(HttpStatusCode.Created)).GetProperty("key").GetString());
        var other = await system.CreateTenantWithKeyAsync("starter");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++) statuses.Add((await (i % 2 == 0 ? tenant.Client : secondKey).GetAsync("/api/v1/events")).StatusCode);

        statuses.Count(s => s == HttpStatusCode.OK).ShouldBe(5);
        statuses.Skip(5).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);
        (await other.Client.GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_plan_change_takes_effect_with_the_next_request()
    {
        var tenant = await NewTenantInAFreshWindowAsync("starter");
        for (var i = 0; i < 5; i++) (await tenant.Client.GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await tenant.Client.GetAsync("/api/v1/events")).ShouldBeErrorAsync(HttpStatusCode.TooManyRequests, "rate_limited");

        (await system.Admin.PatchAsJsonAsync($"/api/v1/tenants/{tenant.TenantId}", new { plan = "pro" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The window's count carries over (6 used): the pro quota of 8 leaves exactly one more.
        var upgraded = await tenant.Client.GetAsync("/api/v1/events");
        upgraded.StatusCode.ShouldBe(HttpStatusCode.OK);
        Header(upgraded, "X-RateLimit-Limit").ShouldBe("8");
        Header(upgraded, "X-RateLimit-Remaining").ShouldBe("1");
    }

    [Fact]
    public async Task Requests_without_valid_credentials_are_limited_per_client_address()
    {
        await system.WaitForAFreshRateLimitWindowAsync();
        var anonymous = system.Client();
        var wrong = system.Client("ik_wrongwrong_wrongwrongwrongwrongwrong");

        await (await anonymous.GetAsync("/api/v1/events")).ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await (await wrong.GetAsync("/api/v1/events")).ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var third = await anonymous.GetAsync("/api/v1/tenants");
        await third.ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Header(third, "X-RateLimit-Limit").ShouldBe("3");
        await (await wrong.GetAsync("/api/v1/events")).ShouldBeErrorAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        (await system.Admin.GetAsync("/api/v1/tenants?limit=1")).StatusCode.ShouldBe(HttpStatusCode.OK, "the admin has a partition of its own");
    }

    [Fact]
    public async Task Two_api_instances_share_one_quota()
    {
        var (second, address) = await system.StartApiInstanceAsync();
        try
        {
            HttpClient ViaSecond(TenantWithKey tenant) =>
                new() { BaseAddress = address, DefaultRequestHeaders = { Authorization = tenant.Client.DefaultRequestHeaders.Authorization } };
            var sequential = await system.CreateTenantWithKeyAsync("starter");
            var burst = await system.CreateTenantWithKeyAsync("starter");
            await system.WaitForAFreshRateLimitWindowAsync();

            // Each instance sees what the other counted.
            using var b = ViaSecond(sequential);
            for (var i = 0; i < 3; i++) (await sequential.Client.GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK);
            Header(await b.GetAsync("/api/v1/events"), "X-RateLimit-Remaining").ShouldBe("1");
            Header(await b.GetAsync("/api/v1/events"), "X-RateLimit-Remaining").ShouldBe("0");
            await (await b.GetAsync("/api/v1/events")).ShouldBeErrorAsync(HttpStatusCode.TooManyRequests, "rate_limited");
            await (await sequential.Client.GetAsync("/api/v1/events")).ShouldBeErrorAsync(HttpStatusCode.TooManyRequests, "rate_limited");

            // Concurrent requests spread over both instances: the sum stays within the quota.
            using var viaSecond = ViaSecond(burst);
            var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? burst.Client : viaSecond).GetAsync("/api/v1/events")));
            responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(5, "the sum over both instances stays within the quota");
            responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests).ShouldBe(15);
        }
        finally
        {
            await second.StopAsync();
            await second.DisposeAsync();
        }
    }

    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

    private async Task<TenantWithKey> NewTenantInAFreshWindowAsync(string plan)
    {
        var tenant = await system.CreateTenantWithKeyAsync(plan);
        await system.WaitForAFreshRateLimitWindowAsync();
        return tenant;
    }
}
