using System.Net;
using System.Net.Http.Json;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Api;

/// <summary>Finding a member by e-mail (<c>GET /api/v1/members?email=</c>): one address, ignoring case, within the tenant.</summary>
public class MemberSearchTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task A_member_is_found_by_e_mail_case_insensitively_within_the_tenant_only()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var other = await system.CreateTenantWithKeyAsync();
        var local = $"Ana.Lopez.{Guid.NewGuid():N}";
        async Task<Guid> InviteAsync(HttpClient client, string email) =>
            (await (await client.PostAsJsonAsync("/api/v1/members", new { email, role = "member" })).ShouldBeJsonAsync(HttpStatusCode.Created))
            .GetProperty("member").GetProperty("id").GetGuid();
        var ana = await InviteAsync(tenant.Client, $"{local}@Example.com");
        await InviteAsync(tenant.Client, $"x.{local}@example.com");
        await InviteAsync(other.Client, $"{local}@example.com");

        var found = await (await tenant.Client.GetAsync($"/api/v1/members?email={Uri.EscapeDataString($"{local.ToLowerInvariant()}@EXAMPLE.com")}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        found.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetGuid()).ShouldBe([ana]);
        found.GetProperty("data")[0].GetProperty("email").GetString().ShouldBe($"{local}@Example.com", "stored as given");
        (await (await tenant.Client.GetAsync("/api/v1/members?email=nobody%40example.com")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
        await (await tenant.Client.GetAsync("/api/v1/members?email=a%40example.com&email=b%40example.com")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
    }
}
