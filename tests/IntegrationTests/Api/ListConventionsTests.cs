using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.OAuth;
using Shouldly;

namespace Integrations.IntegrationTests.Api;

/// <summary>
/// The list conventions (docs/api/conventions.md) on every list endpoint, through real HTTP: limit,
/// opaque cursors both ways, filters, sort, fields, and unknown or malformed parameters refused.
/// </summary>
public class ListConventionsTests(TestSystem system) : IClassFixture<TestSystem>
{
    public static TheoryData<string> Lists =>
    [
        "events", "api-keys", "tenants", "webhook-endpoints", "members", "apps", "installed-apps", "marketplace-apps", "webhook-deliveries", "endpoint-deliveries",
        "hooks",
    ];

    /// <summary>
    /// A list with <paramref name="count"/> fresh items: its client, path (with any scope parameter) and the items' ids newest first.
    /// <see cref="PathHasCreatedAfter"/>: the path already narrows with created_after, to leave out items other tests made.
    /// </summary>
    private sealed record Seeded(HttpClient Client, string Path, List<Guid> NewestFirst, DateTimeOffset Before, string CreatedField, bool PathHasCreatedAfter = false);

    private async Task<Seeded> SeedAsync(string list, int count)
    {
        var before = DateTimeOffset.UtcNow.AddMilliseconds(-5);
        var ids = new List<Guid>();
        switch (list)
        {
            case "events":
            {
                var tenant = await system.CreateTenantWithKeyAsync();
                for (var i = 0; i < count; i++)
                    ids.Add(await IdOf(tenant.Client.PostAsJsonAsync("/api/v1/events", new { event_type = i % 2 == 0 ? "invoice.paid" : "user.joined", data = Data(i) })));
                ids.Reverse();
                return new Seeded(tenant.Client, "/api/v1/events?", ids, before, "timestamp");
            }
            case "api-keys":
            {
                var tenant = await system.CreateTenantWithKeyAsync();
                before = DateTimeOffset.UtcNow;
                for (var i = 0; i < count; i++) ids.Add(await IdOf(system.Admin.PostAsync($"/api/v1/tenants/{tenant.TenantId}/api-keys", null)));
                ids.Reverse();
                // The seed key is older than `before`: lists below filter on created_after to see only these.
                return new Seeded(tenant.Client, $"/api/v1/tenants/{tenant.TenantId}/api-keys?created_after={Rfc3339(before)}&", ids, before, "created_at");
            }
            case "tenants":
            {
                DateTimeOffset? first = null;
                for (var i = 0; i < count; i++)
                {
                    var (id, createdAt) = await CreateTenantAsync($"List {Guid.NewGuid():N}", i % 3 == 0 ? "starter" : "pro");
                    ids.Add(id);
                    first ??= createdAt;
                }
                ids.Reverse();
                var from = JustBefore(first!.Value);
                return new Seeded(system.Admin, $"/api/v1/tenants?created_after={Rfc3339(from)}&", ids, from, "created_at");
            }
            case "members":
            {
                var tenant = await system.CreateTenantWithKeyAsync();
                for (var i = 0; i < count; i++)
                {
                    var invited = await (await tenant.Client.PostAsJsonAsync("/api/v1/members", new { email = $"m{i}.{Guid.NewGuid():N}@example.com", role = i % 2 == 0 ? "member" : "admin" }))
                        .ShouldBeJsonAsync(HttpStatusCode.Created);
                    ids.Add(invited.GetProperty("member").GetProperty("id").GetGuid());
                }
                ids.Reverse();
                return new Seeded(tenant.Client, "/api/v1/members?", ids, before, "invited_at");
            }
            case "apps":
            {
                var tenant = await system.CreateTenantWithKeyAsync();
                for (var i = 0; i < count; i++) ids.Add((await new OAuthHarness(system).RegisterAppAsync(tenant)).Id);
                ids.Reverse();
                return new Seeded(tenant.Client, "/api/v1/apps?", ids, before, "created_at");
            }
            case "installed-apps":
            {
                // Each app is installed by a member's consent (the real authorization flow); the grant's time is installed_at.
                var tenant = await system.CreateTenantWithKeyAsync();
                var harness = new OAuthHarness(system);
                var member = await harness.CreateMemberAsync(tenant);
                for (var i = 0; i < count; i++)
                {
                    var app = await harness.RegisterAppAsync(tenant);
                    await harness.AuthorizeAsync(app, member, OAuthHarness.Challenge(OAuthHarness.Verifier()));
                    ids.Add(app.Id);
                }
                ids.Reverse();
                return new Seeded(tenant.Client, "/api/v1/installed-apps?", ids, before, "installed_at");
            }
            case "marketplace-apps":
            {
                // The marketplace is every developer's: the path narrows to apps registered from now on. Read with a tenant key
                // (the list is public) so that the anonymous quota is not what these tests measure.
                var developer = await system.CreateTenantWithKeyAsync();
                before = DateTimeOffset.UtcNow;
                for (var i = 0; i < count; i++)
                {
                    var app = await new OAuthHarness(system).RegisterAppAsync(developer);
                    (await developer.Client.PostAsync($"/api/v1/apps/{app.Id}/submit", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
                    (await system.Admin.PostAsync($"/api/v1/admin/apps/{app.Id}/approve", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
                    ids.Add(app.Id);
                }
                ids.Reverse();
                return new Seeded(developer.Client, $"/api/v1/marketplace/apps?created_after={Rfc3339(before)}&", ids, before, "created_at", PathHasCreatedAfter: true);
            }
            case "webhook-deliveries" or "endpoint-deliveries":
            {
                // One event at a time through Kafka and the Workers host's fan-out, so each delivery is created after the previous one.
                var tenant = await system.CreateTenantWithKeyAsync();
                var endpoint = await IdOf(tenant.Client.PostAsJsonAsync("/api/v1/webhook-endpoints", new { url = "http://127.0.0.1:9/hook", event_types = new[] { "*" } }));
                for (var i = 0; i < count; i++)
                {
                    var eventId = await IdOf(tenant.Client.PostAsJsonAsync("/api/v1/events", new { event_type = "invoice.paid", data = Data(i) }));
                    await Eventually.HoldsAsync(async () => await system.ScalarAsync<long>("select count(*) from webhook_deliveries where event_id = @e", ("e", eventId)) == 1,
                        TimeSpan.FromSeconds(60), $"the delivery of event {i} is created by the fan-out");
                    ids.Add(await system.ScalarAsync<Guid>("select id from webhook_deliveries where event_id = @e", ("e", eventId)));
                }
                ids.Reverse();
                return new Seeded(tenant.Client, list == "webhook-deliveries" ? "/api/v1/webhook-deliveries?" : $"/api/v1/webhook-endpoints/{endpoint}/deliveries?",
                    ids, before, "created_at");
            }
            case "hooks":
            {
                var tenant = await system.CreateTenantWithKeyAsync();
                for (var i = 0; i < count; i++)
                    ids.Add(await IdOf(tenant.Client.PostAsJsonAsync("/api/v1/hooks", new { target_url = $"http://127.0.0.1:9/zap/{i}", event_types = new[] { "entity.created" } })));
                ids.Reverse();
                return new Seeded(tenant.Client, "/api/v1/hooks?", ids, before, "created_at");
            }
            default:
            {
                var tenant = await system.CreateTenantWithKeyAsync();
                for (var i = 0; i < count; i++)
                    ids.Add(await IdOf(tenant.Client.PostAsJsonAsync("/api/v1/webhook-endpoints", new { url = $"http://127.0.0.1:9/hook/{i}", event_types = new[] { "*" } })));
                ids.Reverse();
                return new Seeded(tenant.Client, "/api/v1/webhook-endpoints?", ids, before, "created_at");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task Pages_newest_first_by_default_and_cursors_walk_both_ways_without_gaps(string list)
    {
        var seeded = await SeedAsync(list, 7);

        var defaultPage = await GetJson(seeded, "");
        defaultPage.GetProperty("data").GetArrayLength().ShouldBe(7, "the default limit (20) holds them all");
        defaultPage.GetProperty("has_more").GetBoolean().ShouldBeFalse();
        defaultPage.GetProperty("next_cursor").ValueKind.ShouldBe(JsonValueKind.Null);
        defaultPage.GetProperty("previous_cursor").ValueKind.ShouldBe(JsonValueKind.Null);

        var pages = new List<JsonElement>();
        string? cursor = null;
        do
        {
            pages.Add(await GetJson(seeded, "limit=3" + (cursor is null ? "" : "&cursor=" + cursor)));
            cursor = pages[^1].GetProperty("next_cursor").GetString();
        } while (pages[^1].GetProperty("has_more").GetBoolean());

        pages.SelectMany(Ids).ShouldBe(seeded.NewestFirst);
        pages.Select(p => p.GetProperty("data").GetArrayLength()).ShouldBe([3, 3, 1]);
        var back = await GetJson(seeded, "limit=3&cursor=" + pages[^1].GetProperty("previous_cursor").GetString());
        Ids(back).ShouldBe(seeded.NewestFirst.Skip(3).Take(3));
        back.GetProperty("has_more").GetBoolean().ShouldBeTrue();
        var first = await GetJson(seeded, "limit=3&cursor=" + back.GetProperty("previous_cursor").GetString());
        Ids(first).ShouldBe(seeded.NewestFirst.Take(3));
        first.GetProperty("has_more").GetBoolean().ShouldBeFalse();
        first.GetProperty("previous_cursor").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task Sorting_ascending_reverses_the_order_and_a_cursor_is_bound_to_its_sort_and_filters(string list)
    {
        var seeded = await SeedAsync(list, 5);

        var ascending = await GetJson(seeded, $"sort={seeded.CreatedField}:asc&limit=2");
        Ids(ascending).ShouldBe(seeded.NewestFirst.AsEnumerable().Reverse().Take(2));
        var next = ascending.GetProperty("next_cursor").GetString()!;
        Ids(await GetJson(seeded, $"sort={seeded.CreatedField}:asc&limit=2&cursor={next}")).ShouldBe(seeded.NewestFirst.AsEnumerable().Reverse().Skip(2).Take(2));

        (await Get(seeded, $"sort={seeded.CreatedField}:desc&limit=2&cursor={next}").ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter"))
            .Fields().ShouldBe(["cursor"]);
        await Get(seeded, $"sort={seeded.CreatedField}:asc&limit=2&created_before={Rfc3339(DateTimeOffset.UtcNow.AddDays(1))}&cursor={next}")
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
        (await Get(seeded, "cursor=bm9wZQ").ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).Fields().ShouldBe(["cursor"]);
    }

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task Unknown_or_malformed_parameters_are_400_naming_them_and_bad_values_are_422(string list)
    {
        var seeded = await SeedAsync(list, 1);

        async Task Invalid(string query, string field, string code)
        {
            var error = await Get(seeded, query).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
            var detail = error.GetProperty("details").EnumerateArray().Single();
            detail.GetProperty("field").GetString().ShouldBe(field, query);
            detail.GetProperty("code").GetString().ShouldBe(code, query);
            detail.GetProperty("location").GetString().ShouldBe("query");
        }

        await Invalid("colour=blue", "colour", "unknown_parameter");
        await Invalid("Limit=5", "Limit", "unknown_parameter");
        await Invalid("limit=2&limit=3", "limit", "duplicate_parameter");
        await Invalid("limit=ten", "limit", "invalid_type");
        await Invalid("sort=colour:asc", "sort", "unknown_sort_field");
        await Invalid($"sort={seeded.CreatedField}:up", "sort", "invalid_sort_direction");
        await Invalid("sort=id:asc", "sort", "unknown_sort_field");
        await Invalid("fields=id,colour", "fields", "unknown_field");
        await Invalid("created_before=yesterday", "created_before", "invalid_timestamp");
        await Invalid("created_before=2026-01-01", "created_before", "invalid_timestamp");
        (await Get(seeded, "limit=0").ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).Fields().ShouldBe(["limit"]);
        (await Get(seeded, "limit=101").ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).Fields().ShouldBe(["limit"]);
        (await GetJson(seeded, "limit=100")).GetProperty("data").GetArrayLength().ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task Fields_select_what_each_item_carries_and_id_is_always_there(string list)
    {
        var seeded = await SeedAsync(list, 2);

        var page = await GetJson(seeded, $"fields={seeded.CreatedField}");

        page.GetProperty("data").EnumerateArray().ShouldAllBe(item =>
            item.EnumerateObject().Select(p => p.Name).OrderBy(n => n).SequenceEqual(new[] { seeded.CreatedField, "id" }.OrderBy(n => n)));
        Ids(page).ShouldBe(seeded.NewestFirst);
        page.TryGetProperty("has_more", out _).ShouldBeTrue();
    }

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task Created_after_and_before_bound_the_list_strictly(string list)
    {
        var seeded = await SeedAsync(list, 4);
        var all = await GetJson(seeded, $"fields={seeded.CreatedField}");
        var times = all.GetProperty("data").EnumerateArray().Select(e => e.GetProperty(seeded.CreatedField).GetDateTimeOffset()).ToList();

        // created_before the second newest excludes it and everything newer; an offset other than Z works (encoded '+').
        var cut = times[1].ToOffset(TimeSpan.FromHours(2));
        var older = await GetJson(seeded, $"created_before={Uri.EscapeDataString(cut.ToString("yyyy-MM-ddTHH:mm:ss.fffffffzzz"))}");
        Ids(older).ShouldBe(seeded.NewestFirst.Skip(2));
        // Where the path itself narrows with created_after (a repeated parameter is refused), created_before is the other bound to test.
        var afterFree = list is not ("api-keys" or "tenants") && !seeded.PathHasCreatedAfter;
        var newer = await GetJson(seeded, $"sort={seeded.CreatedField}:asc&{(afterFree ? "created_after" : "created_before")}={Rfc3339(times[1])}");
        if (afterFree) Ids(newer).ShouldBe([seeded.NewestFirst[0]]);
        else Ids(newer).ShouldBe(seeded.NewestFirst.Skip(2).Reverse());
    }

    [Fact]
    public async Task Events_filter_by_type_and_status_and_sort_by_type_then_time()
    {
        var seeded = await SeedAsync("events", 6);

        var paid = await GetJson(seeded, "event_type=invoice.paid");
        paid.GetProperty("data").EnumerateArray().ShouldAllBe(e => e.GetProperty("event_type").GetString() == "invoice.paid");
        paid.GetProperty("data").GetArrayLength().ShouldBe(3);
        // Workers dispatch meanwhile: whatever the split, each filter returns only its status and together they return all.
        var accepted = await GetJson(seeded, "status=accepted");
        var dispatched = await GetJson(seeded, "status=dispatched");
        accepted.GetProperty("data").EnumerateArray().ShouldAllBe(e => e.GetProperty("status").GetString() == "accepted");
        dispatched.GetProperty("data").EnumerateArray().ShouldAllBe(e => e.GetProperty("status").GetString() == "dispatched");
        Ids(accepted).Concat(Ids(dispatched)).Count().ShouldBeGreaterThanOrEqualTo(6);
        await Get(seeded, "status=lost").ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await Get(seeded, "event_type=invoice.refunded").ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        var byType = await GetJson(seeded, "sort=event_type:asc,timestamp:desc&limit=4");
        var types = byType.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("event_type").GetString()).ToList();
        types.ShouldBe(["invoice.paid", "invoice.paid", "invoice.paid", "user.joined"]);
        var rest = await GetJson(seeded, "sort=event_type:asc,timestamp:desc&limit=4&cursor=" + byType.GetProperty("next_cursor").GetString());
        rest.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("event_type").GetString()).ShouldBe(["user.joined", "user.joined"]);
        await Get(seeded, "sort=status:asc").ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
        await Get(seeded, "sort=timestamp:asc,event_type:asc").ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [Fact]
    public async Task Api_keys_filter_by_status_and_tenants_by_plan_and_sort_by_name()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var second = await IdOf(system.Admin.PostAsync($"/api/v1/tenants/{tenant.TenantId}/api-keys", null));
        (await system.Admin.DeleteAsync($"/api/v1/tenants/{tenant.TenantId}/api-keys/{tenant.KeyId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var revoked = await (await system.Admin.GetAsync($"/api/v1/tenants/{tenant.TenantId}/api-keys?status=revoked")).ShouldBeJsonAsync(HttpStatusCode.OK);
        Ids(revoked).ShouldBe([tenant.KeyId]);
        revoked.GetProperty("data")[0].GetProperty("status").GetString().ShouldBe("revoked");
        Ids(await (await system.Admin.GetAsync($"/api/v1/tenants/{tenant.TenantId}/api-keys?status=active")).ShouldBeJsonAsync(HttpStatusCode.OK)).ShouldBe([second]);

        string? before = null;
        foreach (var (name, plan) in new[] { ("Charlie", "pro"), ("Alpha", "starter"), ("Bravo", "pro") })
        {
            var (_, createdAt) = await CreateTenantAsync(name, plan);
            before ??= Rfc3339(JustBefore(createdAt));
        }
        var byName = await (await system.Admin.GetAsync($"/api/v1/tenants?created_after={before}&sort=name:asc&fields=name")).ShouldBeJsonAsync(HttpStatusCode.OK);
        byName.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ShouldBe(["Alpha", "Bravo", "Charlie"]);
        var pro = await (await system.Admin.GetAsync($"/api/v1/tenants?created_after={before}&plan=pro&sort=name:desc")).ShouldBeJsonAsync(HttpStatusCode.OK);
        pro.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ShouldBe(["Charlie", "Bravo"]);
        await (await system.Admin.GetAsync("/api/v1/tenants?plan=gold")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await tenant.Client.GetAsync("/api/v1/tenants")).ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var other = await system.CreateTenantWithKeyAsync();
        await (await other.Client.GetAsync("/api/v1/tenants")).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Members_filter_by_role_and_status_and_apps_by_review_status_and_sort_by_name()
    {
        var members = await SeedAsync("members", 4);
        var admins = await GetJson(members, "role=admin");
        Ids(admins).ShouldBe([members.NewestFirst[0], members.NewestFirst[2]]);
        admins.GetProperty("data").EnumerateArray().ShouldAllBe(m => m.GetProperty("role").GetString() == "admin");
        Ids(await GetJson(members, "status=invited")).ShouldBe(members.NewestFirst);
        Ids(await GetJson(members, "status=active")).ShouldBeEmpty();
        (await Get(members, "status=removed").ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).Fields().ShouldBe(["status"]);

        var developer = await system.CreateTenantWithKeyAsync();
        var harness = new OAuthHarness(system);
        var apps = new List<RegisteredApp>();
        foreach (var name in new[] { "Charlie", "Alpha", "Bravo" })
        {
            var registered = await (await developer.Client.PostAsJsonAsync("/api/v1/apps", new
            {
                name, redirect_uris = new[] { "https://app.example/cb" }, scopes = new[] { "events:read" }, client_type = "public",
            })).ShouldBeJsonAsync(HttpStatusCode.Created);
            apps.Add(new RegisteredApp(registered.GetProperty("app").GetProperty("id").GetGuid(), registered.GetProperty("app").GetProperty("client_id").GetString()!, null,
                "https://app.example/cb"));
        }
        (await developer.Client.PostAsync($"/api/v1/apps/{apps[1].Id}/submit", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var byName = await (await developer.Client.GetAsync("/api/v1/apps?sort=name:asc&fields=name")).ShouldBeJsonAsync(HttpStatusCode.OK);
        byName.GetProperty("data").EnumerateArray().Select(a => a.GetProperty("name").GetString()).ShouldBe(["Alpha", "Bravo", "Charlie"]);
        Ids(await (await developer.Client.GetAsync("/api/v1/apps?review_status=pending")).ShouldBeJsonAsync(HttpStatusCode.OK)).ShouldBe([apps[1].Id]);
        await (await developer.Client.GetAsync("/api/v1/apps?review_status=maybe")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await developer.Client.GetAsync("/api/v1/apps?sort=name:asc,created_at:desc")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");

        // Installed apps: another organisation sees none of these, and sorts its own by name.
        var customer = await system.CreateTenantWithKeyAsync();
        var member = await harness.CreateMemberAsync(developer);
        for (var i = 0; i < 3; i++)
        {
            var registered = await harness.RegisterAppAsync(developer);
            await harness.AuthorizeAsync(registered, member, OAuthHarness.Challenge(OAuthHarness.Verifier()));
        }
        (await (await developer.Client.GetAsync("/api/v1/installed-apps?sort=name:desc&limit=2")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("has_more").GetBoolean().ShouldBeTrue();
        Ids(await (await customer.Client.GetAsync("/api/v1/installed-apps")).ShouldBeJsonAsync(HttpStatusCode.OK)).ShouldBeEmpty();
        Ids(await (await customer.Client.GetAsync("/api/v1/members")).ShouldBeJsonAsync(HttpStatusCode.OK)).ShouldBeEmpty();
        Ids(await (await customer.Client.GetAsync("/api/v1/apps")).ShouldBeJsonAsync(HttpStatusCode.OK)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Pages_stay_stable_while_items_are_inserted_concurrently()
    {
        var seeded = await SeedAsync("events", 9);
        var tenantClient = seeded.Client;

        var seen = new List<Guid>();
        string? cursor = null;
        var inserted = 0;
        do
        {
            var page = await GetJson(seeded, "limit=2" + (cursor is null ? "" : "&cursor=" + cursor));
            seen.AddRange(Ids(page));
            cursor = page.GetProperty("next_cursor").GetString();
            // Newer events arrive while the client pages into the past: they must neither shift nor duplicate a page.
            await Task.WhenAll(Enumerable.Range(0, 3).Select(i => tenantClient.PostAsJsonAsync("/api/v1/events", new { event_type = "user.joined", data = Data(100 + inserted + i) })));
            inserted += 3;
        } while (cursor is not null);

        seen.ShouldBe(seeded.NewestFirst);
    }

    [Fact]
    public async Task Endpoints_that_are_not_lists_refuse_unknown_query_parameters_too()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        foreach (var path in new[] { "/api/v1/event-types?verbose=1", $"/api/v1/tenants/{tenant.TenantId}?expand=keys", $"/api/v1/events/{Guid.NewGuid()}?tenant=x" })
        {
            var error = await (await tenant.Client.GetAsync(path)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
            error.GetProperty("details")[0].GetProperty("code").GetString().ShouldBe("unknown_parameter", path);
        }
        (await (await tenant.Client.PostAsJsonAsync("/api/v1/events?dry_run=true", new { event_type = "user.joined", data = new { user_id = "u" } }))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter")).Fields().ShouldBe(["dry_run"]);
        (await system.ScalarAsync<long>("select count(*) from events where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);
        (await tenant.Client.GetAsync($"/api/v1/events?tenant_id={tenant.TenantId}")).StatusCode.ShouldBe(HttpStatusCode.OK, "declared parameters pass");
    }

    [Fact]
    public async Task A_tenant_scoped_endpoint_binds_tenant_id_from_the_query_and_nothing_of_its_plumbing()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var path = $"/api/v1/webhook-endpoints/{Guid.NewGuid()}";

        // tenant_id (TenantRequest) binds: the tenant's own id goes on to the lookup of the unknown endpoint.
        await (await tenant.Client.GetAsync($"{path}?tenant_id={tenant.TenantId}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "webhook_endpoint_not_found");
        await (await tenant.Client.GetAsync($"{path}?tenant_id={Guid.NewGuid()}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");
        var malformed = await (await tenant.Client.GetAsync($"{path}?tenant_id=not-a-uuid")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
        malformed.Fields().ShouldBe(["tenant_id"]);
        malformed.GetProperty("details")[0].GetProperty("message").GetString().ShouldBe("Expected a UUID.");

        // The handler's request, mediator and cancellation are no query parameters.
        foreach (var name in new[] { "http", "mediator", "ct", "request", "Http", "Mediator", "CancellationToken", "TenantId" })
            (await (await tenant.Client.GetAsync($"{path}?{name}=1")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter")).Fields().ShouldBe([name]);

        // Where the body names the tenant (ApiRequest), the query takes no tenant_id.
        (await (await tenant.Client.PostAsJsonAsync($"/api/v1/events?tenant_id={tenant.TenantId}", new { event_type = "user.joined", data = new { user_id = "u" } }))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter")).Fields().ShouldBe(["tenant_id"]);
    }

    private static object Data(int i) => new { user_id = $"u_{i}", invoice_id = $"in_{i}", amount_cents = i, currency = "EUR" };

    private static string Rfc3339(DateTimeOffset t) => Uri.EscapeDataString(t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ"));

    /// <summary>
    /// The admin's tenant list holds every tenant of the test system, other tests' too, so it is
    /// narrowed from the first tenant a test creates by that tenant's own creation time: one made a
    /// moment earlier (at the end of the test before) is older, whatever the clock's resolution.
    /// </summary>
    private async Task<(Guid Id, DateTimeOffset CreatedAt)> CreateTenantAsync(string name, string plan)
    {
        var created = await (await system.Admin.PostAsJsonAsync("/api/v1/tenants", new { name, plan })).ShouldBeJsonAsync(HttpStatusCode.Created);
        return (created.GetProperty("id").GetGuid(), created.GetProperty("created_at").GetDateTimeOffset());
    }

    /// <summary>created_after is strict: one microsecond (PostgreSQL's resolution) before includes the instant itself.</summary>
    private static DateTimeOffset JustBefore(DateTimeOffset instant) => instant.AddTicks(-TimeSpan.TicksPerMicrosecond);

    private static async Task<Guid> IdOf(Task<HttpResponseMessage> response)
    {
        var message = await response;
        message.IsSuccessStatusCode.ShouldBeTrue(await message.Content.ReadAsStringAsync());
        return (await message.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static Task<HttpResponseMessage> Get(Seeded seeded, string query) => seeded.Client.GetAsync(seeded.Path + query);

    private static async Task<JsonElement> GetJson(Seeded seeded, string query) => await (await Get(seeded, query)).ShouldBeJsonAsync(HttpStatusCode.OK);

    private static IEnumerable<Guid> Ids(JsonElement page) => page.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()).ToList();
}

internal static class ResponseTaskExtensions
{
    public static async Task<JsonElement> ShouldBeErrorAsync(this Task<HttpResponseMessage> response, HttpStatusCode status, string code) =>
        await (await response).ShouldBeErrorAsync(status, code);
}
