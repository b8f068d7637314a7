using System.Net;
using System.Net.Http.Json;
using Shouldly;

namespace Integrations.IntegrationTests.OAuth;

/// <summary>Access tokens count against their tenant's quota exactly like its API keys; /oauth is limited per address.</summary>
public sealed class OAuthRateLimitTests(OAuthRateLimitedSystem system) : IClassFixture<OAuthRateLimitedSystem>
{
    [Fact]
    public async Task Tokens_and_api_keys_of_a_tenant_share_one_quota_and_oauth_endpoints_are_limited_per_address()
    {
        var tenant = await system.CreateTenantWithKeyAsync("starter");
        // Every request below counts against the tenant's or the address's quota of one window.
        await system.WaitForAFreshRateLimitWindowAsync();
        var oauth = new OAuthHarness(system);
        // Two requests with the API key (register the app, invite the member), then the flow (/oauth: 5 requests).
        var (_, _, tokens) = await oauth.TokensAsync(tenant);
        var api = system.Client(tokens.AccessToken);
        for (var i = 3; i <= 6; i++) (await api.GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK, $"request {i}");
        var limited = await api.GetAsync("/api/v1/events");
        limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await tenant.Client.GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, "the API key shares the token's quota");

        using var client = system.Client();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
            statuses.Add((await client.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "refresh_token" }))).StatusCode);
        statuses.ShouldContain(HttpStatusCode.TooManyRequests);
    }
}
