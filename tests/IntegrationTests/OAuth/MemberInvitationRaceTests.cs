using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Shouldly;

namespace Integrations.IntegrationTests.OAuth;

/// <summary>
/// Invitations of one address sent at the same moment: both see no member yet, and the members
/// projection's unique index decides. The loser must get the same 409 as a late request, never a 500.
/// </summary>
public sealed class MemberInvitationRaceTests(OAuthSystem system) : IClassFixture<OAuthSystem>
{
    [Fact]
    public async Task Concurrent_invitations_of_one_address_make_one_member_and_the_others_a_409()
    {
        for (var round = 0; round < 3; round++)
        {
            var tenant = await system.CreateTenantWithKeyAsync();
            var email = $"race{round}@example.com";
            var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
                tenant.Client.PostAsJsonAsync("/api/v1/members", new { email = i % 2 == 0 ? email : email.ToUpperInvariant(), role = "member" })));

            var statuses = responses.Select(r => r.StatusCode).ToList();
            statuses.Count(s => s == HttpStatusCode.Created).ShouldBe(1, string.Join(", ", statuses));
            foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
                await refused.ShouldBeErrorAsync(HttpStatusCode.Conflict, "member_exists");
            var members = await tenant.Client.GetFromJsonAsync<JsonElement>("/api/v1/members");
            members.GetProperty("data").GetArrayLength().ShouldBe(1);
        }
    }
}
