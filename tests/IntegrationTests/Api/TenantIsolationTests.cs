using System.Net;
using System.Net.Http.Json;
using Integrations.Application.Apps;
using Integrations.Application.Apps.Queries.ListApps;
using Integrations.Application.Apps.Queries.ListInstalledApps;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Listing;
using Integrations.Application.Members.Queries.ListMembers;
using Integrations.Application.OAuth;
using Integrations.Domain.Marketplace;
using Integrations.Domain.Members;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.OAuth;
using Microsoft.Extensions.DependencyInjection;
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

    [Fact]
    public async Task Members_apps_installations_and_grants_of_another_tenant_are_not_found_and_their_streams_read_empty()
    {
        var oauth = new OAuthHarness(system);
        var a = await system.CreateTenantWithKeyAsync();
        var b = await system.CreateTenantWithKeyAsync();
        var (aApp, aMember, aTokens) = await oauth.TokensAsync(a);
        var bMember = await oauth.CreateMemberAsync(b);
        var aGrant = await system.ScalarAsync<Guid>("select id from oauth_grants where member_id = @m", ("m", aMember.MemberId));

        // Through the API: B sees only its own, and A's are "not found", never "forbidden".
        var bMembers = await (await b.Client.GetAsync("/api/v1/members")).ShouldBeJsonAsync(HttpStatusCode.OK);
        bMembers.GetProperty("data").EnumerateArray().Select(m => (m.GetProperty("id").GetGuid(), m.GetProperty("tenant_id").GetGuid()))
            .ShouldBe([(bMember.MemberId, b.TenantId)]);
        await (await b.Client.DeleteAsync($"/api/v1/members/{aMember.MemberId}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "member_not_found");
        (await (await b.Client.GetAsync("/api/v1/apps")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
        await (await b.Client.GetAsync($"/api/v1/apps/{aApp.Id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "app_not_found");
        await (await b.Client.PatchAsJsonAsync($"/api/v1/apps/{aApp.Id}", new { name = "Mine now" })).ShouldBeErrorAsync(HttpStatusCode.NotFound, "app_not_found");
        await (await b.Client.PostAsync($"/api/v1/apps/{aApp.Id}/submit", null)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "app_not_found");
        await (await b.Client.PostAsync($"/api/v1/apps/{aApp.Id}/rotate-secret", null)).ShouldBeErrorAsync(HttpStatusCode.NotFound, "app_not_found");
        (await (await b.Client.GetAsync("/api/v1/installed-apps")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
        await (await b.Client.DeleteAsync($"/api/v1/installed-apps/{aApp.Id}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "app_not_installed");
        (await system.Client(aTokens.AccessToken).GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK, "nothing of A was revoked");

        await using var scope = system.Api.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;

        // Each read model asked for B returns nothing of A.
        var store = services.GetRequiredService<IOAuthStore>();
        (await store.FindMemberAsync(b.TenantId, aMember.MemberId, CancellationToken.None)).ShouldBeNull();
        (await store.FindActiveMemberByEmailAsync(b.TenantId, aMember.Email, CancellationToken.None)).ShouldBeNull();
        (await store.HasMemberWithEmailAsync(b.TenantId, aMember.Email, CancellationToken.None)).ShouldBeFalse();
        (await store.LiveGrantIdsAsync(b.TenantId, aMember.MemberId, null, CancellationToken.None)).ShouldBeEmpty();
        (await store.LiveGrantIdsAsync(b.TenantId, null, aApp.Id, CancellationToken.None)).ShouldBeEmpty();
        (await store.ConsentedScopesAsync(b.TenantId, aApp.Id, CancellationToken.None)).ShouldBeEmpty();
        (await store.HasConsentCoveringAsync(b.TenantId, aMember.MemberId, aApp.Id, ["events:read"], CancellationToken.None)).ShouldBeFalse();
        (await services.GetRequiredService<IMemberReadModel>().ListAsync(b.TenantId, ListQuery.Default(ListMembersQuery.Spec, 100), CancellationToken.None))
            .Data.Select(m => m.TenantId).ShouldBe([b.TenantId]);
        var catalogue = services.GetRequiredService<IAppCatalogue>();
        (await catalogue.ListOwnedAsync(b.TenantId, ListQuery.Default(ListAppsQuery.Spec, 100), CancellationToken.None)).Data.ShouldBeEmpty();
        (await catalogue.ListInstalledAsync(b.TenantId, ListQuery.Default(ListInstalledAppsQuery.Spec, 100), CancellationToken.None)).Data.ShouldBeEmpty();
        // ... while A's own reads do find them (the reads above are not empty for another reason).
        (await store.LiveGrantIdsAsync(a.TenantId, aMember.MemberId, null, CancellationToken.None)).ShouldBe([aGrant]);
        (await store.FindMemberAsync(a.TenantId, aMember.MemberId, CancellationToken.None)).ShouldNotBeNull();
        (await catalogue.ListInstalledAsync(a.TenantId, ListQuery.Default(ListInstalledAppsQuery.Spec, 100), CancellationToken.None)).Data.ShouldHaveSingleItem();

        // The streams: read as B's, A's member, app and grant streams do not exist (Marten's conjoined tenancy).
        var streams = new[] { MemberDecider.StreamId(aMember.MemberId), AppDecider.StreamId(aApp.Id), GrantDecider.StreamId(aGrant) };
        var events = services.GetRequiredService<IEventStore>();
        (await events.ReadStreamsAsync([.. streams.Select(s => new StreamKey(s, b.TenantId))], CancellationToken.None)).Values.ShouldAllBe(e => e.Count == 0);
        (await events.ReadStreamsAsync([.. streams.Select(s => new StreamKey(s, a.TenantId))], CancellationToken.None)).Values.ShouldAllBe(e => e.Count > 0);
    }
}
