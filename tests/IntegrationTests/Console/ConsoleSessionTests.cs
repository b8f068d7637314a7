using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Console;

/// <summary>The console without the Workers host, with 5-second embed links.</summary>
public sealed class ConsoleSystem : TestSystem
{
    protected override bool StartWorkers => false;

    protected override IDictionary<string, string?> ExtraConfiguration => new Dictionary<string, string?> { ["Console:EmbedLinkLifetime"] = "00:00:05" };
}

/// <summary>
/// POST /api/v1/console-sessions and opening its link (docs/console.md#embedding): over HTTP
/// against the running API, with the stored rows read back from PostgreSQL. The browser side is in
/// tests/console.
/// </summary>
public sealed class ConsoleSessionTests(ConsoleSystem system) : IClassFixture<ConsoleSystem>
{
    private HttpClient Browser() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = system.BaseAddress };

    private static async Task<(string Url, DateTimeOffset ExpiresAt)> MintAsync(HttpClient client, object? body = null)
    {
        var response = await client.PostAsJsonAsync("/api/v1/console-sessions", body ?? new { });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (json.GetProperty("url").GetString()!, json.GetProperty("expires_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_link_opens_a_session_for_its_tenant_once_and_only_its_hash_is_stored()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (url, expiresAt) = await MintAsync(tenant.Client);
        expiresAt.ShouldBeInRange(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddSeconds(6));
        var token = Uri.UnescapeDataString(url[(url.IndexOf("token=", StringComparison.Ordinal) + 6)..]);
        token.ShouldStartWith("cs_");
        var stored = await system.ScalarAsync<string>("select token_hash from console_sessions where tenant_id = @t", ("t", tenant.TenantId));
        stored.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))));
        (await system.ScalarAsync<long>("select count(*) from console_sessions where token_hash = @t", ("t", token))).ShouldBe(0);

        var first = await Browser().GetAsync(new Uri(url).PathAndQuery);
        first.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        first.Headers.Location!.ToString().ShouldBe("/console/webhooks");
        var cookie = first.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__console=", StringComparison.Ordinal));
        cookie.ShouldContain("httponly");
        cookie.ShouldContain("path=/console");

        var page = new HttpRequestMessage(HttpMethod.Get, "/console/webhooks");
        page.Headers.Add("Cookie", cookie.Split(';')[0]);
        var list = await Browser().SendAsync(page);
        list.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await list.Content.ReadAsStringAsync()).ShouldContain("Webhook endpoints");

        var again = await Browser().GetAsync(new Uri(url).PathAndQuery);
        again.StatusCode.ShouldBe(HttpStatusCode.Gone);
        (await again.Content.ReadAsStringAsync()).ShouldContain("already used");
        again.Headers.Contains("Set-Cookie").ShouldBeFalse();
    }

    [Fact]
    public async Task Of_concurrent_opens_of_one_link_exactly_one_gets_a_session()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (url, _) = await MintAsync(tenant.Client);
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Browser().GetAsync(new Uri(url).PathAndQuery)));
        answers.Count(a => a.StatusCode == HttpStatusCode.SeeOther).ShouldBe(1);
        answers.Count(a => a.StatusCode == HttpStatusCode.Gone).ShouldBe(7);
    }

    [Fact]
    public async Task An_expired_forged_or_missing_token_opens_nothing()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var (url, _) = await MintAsync(tenant.Client);
        await Task.Delay(TimeSpan.FromSeconds(5.5));
        var expired = await Browser().GetAsync(new Uri(url).PathAndQuery);
        expired.StatusCode.ShouldBe(HttpStatusCode.Gone);
        (await expired.Content.ReadAsStringAsync()).ShouldContain("expired");
        (await system.ScalarAsync<bool>("select used_at is null from console_sessions where tenant_id = @t", ("t", tenant.TenantId))).ShouldBeTrue();

        foreach (var query in new[] { "", "?token=", "?token=cs_" + new string('A', 43), "?token=" + Uri.EscapeDataString(url), "?token=cs_%00" })
        {
            var response = await Browser().GetAsync("/console/embed" + query);
            response.StatusCode.ShouldBe(HttpStatusCode.Gone, query);
            response.Headers.Contains("Set-Cookie").ShouldBeFalse(query);
        }
    }

    [Fact]
    public async Task Only_a_tenant_key_or_the_admin_naming_a_tenant_may_mint_links()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var other = await system.CreateTenantWithKeyAsync();
        (await system.Client().PostAsJsonAsync("/api/v1/console-sessions", new { })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await system.Admin.PostAsJsonAsync("/api/v1/console-sessions", new { })).StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await system.Admin.PostAsJsonAsync("/api/v1/console-sessions", new { tenant_id = Guid.NewGuid() })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var naming = await tenant.Client.PostAsJsonAsync("/api/v1/console-sessions", new { tenant_id = other.TenantId });
        naming.StatusCode.ShouldBe(HttpStatusCode.NotFound, "a tenant key cannot open another tenant's console");
        (await system.ScalarAsync<long>("select count(*) from console_sessions where tenant_id = @t", ("t", other.TenantId))).ShouldBe(0);

        await MintAsync(system.Admin, new { tenant_id = other.TenantId });
        (await system.ScalarAsync<long>("select count(*) from console_sessions where tenant_id = @t", ("t", other.TenantId))).ShouldBe(1);
    }
}
