using System.Net;
using System.Net.Http.Json;
using System.Text;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Api;

public class TenantsAndApiKeysTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task Admin_creates_and_reads_a_tenant()
    {
        var created = await (await system.Admin.PostAsJsonAsync("/api/v1/tenants", new { name = "Acme BV", plan = "enterprise" }))
            .ShouldBeJsonAsync(HttpStatusCode.Created);

        var id = created.GetProperty("id").GetGuid();
        created.GetProperty("name").GetString().ShouldBe("Acme BV");
        created.GetProperty("plan").GetString().ShouldBe("enterprise");
        created.GetProperty("created_at").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-1));

        var read = await (await system.Admin.GetAsync($"/api/v1/tenants/{id}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        read.GetProperty("name").GetString().ShouldBe("Acme BV");
        (await system.ScalarAsync<long>("select count(*) from marten.mt_events where stream_id = @s", ("s", $"tenant-{id:N}"))).ShouldBe(1);
    }

    [Fact]
    public async Task Creating_a_tenant_needs_the_admin_key()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var anonymous = await system.Client().PostAsJsonAsync("/api/v1/tenants", new { name = "X", plan = "pro" });
        await anonymous.ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        anonymous.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
        await (await system.Client("adm_wrong").PostAsJsonAsync("/api/v1/tenants", new { name = "X", plan = "pro" }))
            .ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        await (await tenant.Client.PostAsJsonAsync("/api/v1/tenants", new { name = "X", plan = "pro" }))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_tenant_key_issues_keys_for_its_own_tenant_only()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var other = await system.CreateTenantWithKeyAsync();

        var response = await tenant.Client.PostAsync($"/api/v1/tenants/{tenant.TenantId}/api-keys", null);
        var created = await response.ShouldBeJsonAsync(HttpStatusCode.Created);
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var key = created.GetProperty("key").GetString()!;
        (await system.ScalarAsync<long>("select count(*) from api_keys where tenant_id = @t and key_hash = @h",
            ("t", tenant.TenantId), ("h", Integrations.Application.ApiKeys.ApiKeyFormat.Hash(key)))).ShouldBe(1);
        (await system.Client(key).GetAsync($"/api/v1/tenants/{tenant.TenantId}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var before = await system.ScalarAsync<long>("select count(*) from api_keys where tenant_id = @t", ("t", other.TenantId));
        await (await tenant.Client.PostAsync($"/api/v1/tenants/{other.TenantId}/api-keys", null))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");
        (await system.ScalarAsync<long>("select count(*) from api_keys where tenant_id = @t", ("t", other.TenantId))).ShouldBe(before);
    }

    [Theory]
    [InlineData("""{"name":"Acme","plan":"gold"}""", "plan")]
    [InlineData("""{"name":"","plan":"pro"}""", "name")]
    [InlineData("""{"plan":"pro"}""", "name")]
    public async Task Invalid_tenants_are_refused_with_the_field_named_and_nothing_is_written(string body, string field)
    {
        var before = await system.ScalarAsync<long>("select count(*) from marten.mt_events");

        var response = await system.Admin.PostAsync("/api/v1/tenants", new StringContent(body, Encoding.UTF8, "application/json"));

        var error = await response.ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        error.Fields().ShouldContain(field);
        (await system.ScalarAsync<long>("select count(*) from marten.mt_events")).ShouldBe(before);
    }

    [Fact]
    public async Task An_api_key_is_shown_once_and_stored_only_as_a_hash()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        tenant.Key.ShouldStartWith("ik_");
        var listed = await (await system.Admin.GetAsync($"/api/v1/tenants/{tenant.TenantId}/api-keys")).ShouldBeJsonAsync(HttpStatusCode.OK);
        var entry = listed.GetProperty("data").EnumerateArray().Single();
        entry.GetProperty("id").GetGuid().ShouldBe(tenant.KeyId);
        entry.GetProperty("prefix").GetString().ShouldNotBeNull().ShouldStartWith("ik_");
        entry.ToString().ShouldNotContain(tenant.Key);

        // The secret is everything after "{prefix}_"; it is base64url, so it may itself contain '_'.
        var prefix = entry.GetProperty("prefix").GetString()!;
        tenant.Key.ShouldStartWith(prefix + "_");
        var secretPart = tenant.Key[(prefix.Length + 1)..];
        (await system.ScalarAsync<long>("select count(*) from marten.mt_events where data::text like '%' || @k || '%' or headers::text like '%' || @k || '%'", ("k", secretPart))).ShouldBe(0);
        (await system.ScalarAsync<long>("select count(*) from api_keys where key_hash = @h", ("h", Integrations.Application.ApiKeys.ApiKeyFormat.Hash(tenant.Key)))).ShouldBe(1);
        (await system.ScalarAsync<long>("select count(*) from api_keys where key_hash like '%' || @k || '%'", ("k", secretPart))).ShouldBe(0);
    }

    [Fact]
    public async Task A_revoked_key_stops_working_on_the_next_request()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        (await tenant.Client.GetAsync($"/api/v1/tenants/{tenant.TenantId}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await system.Admin.DeleteAsync($"/api/v1/tenants/{tenant.TenantId}/api-keys/{tenant.KeyId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        await (await tenant.Client.GetAsync($"/api/v1/tenants/{tenant.TenantId}")).ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        // Revoking again is a no-op, not an error: DELETE is idempotent.
        (await system.Admin.DeleteAsync($"/api/v1/tenants/{tenant.TenantId}/api-keys/{tenant.KeyId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await system.Admin.DeleteAsync($"/api/v1/tenants/{tenant.TenantId}/api-keys/{Guid.NewGuid()}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "api_key_not_found");
    }

    [Fact]
    public async Task A_tenant_may_revoke_its_own_keys_but_not_another_tenants()
    {
        var a = await system.CreateTenantWithKeyAsync();
        var b = await system.CreateTenantWithKeyAsync();

        await (await b.Client.DeleteAsync($"/api/v1/tenants/{a.TenantId}/api-keys/{a.KeyId}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");
        (await a.Client.GetAsync($"/api/v1/tenants/{a.TenantId}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await a.Client.DeleteAsync($"/api/v1/tenants/{a.TenantId}/api-keys/{a.KeyId}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await a.Client.GetAsync($"/api/v1/tenants/{a.TenantId}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_stale_If_Match_is_a_409_concurrency_conflict_and_changes_nothing()
    {
        var tenant = await system.CreateTenantWithKeyAsync(plan: "starter");
        var read = await system.Admin.GetAsync($"/api/v1/tenants/{tenant.TenantId}");
        var etag = read.Headers.ETag!.Tag;

        var first = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/tenants/{tenant.TenantId}") { Content = JsonContent.Create(new { plan = "pro" }) };
        first.Headers.TryAddWithoutValidation("If-Match", etag);
        var updated = await (await system.Admin.SendAsync(first)).ShouldBeJsonAsync(HttpStatusCode.OK);
        updated.GetProperty("plan").GetString().ShouldBe("pro");

        var stale = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/tenants/{tenant.TenantId}") { Content = JsonContent.Create(new { plan = "enterprise" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", etag);
        await (await system.Admin.SendAsync(stale)).ShouldBeErrorAsync(HttpStatusCode.Conflict, "concurrency_conflict");

        var after = await (await system.Admin.GetAsync($"/api/v1/tenants/{tenant.TenantId}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        after.GetProperty("plan").GetString().ShouldBe("pro");
    }

    [Fact]
    public async Task Concurrent_key_creation_on_one_tenant_all_succeeds()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => system.Admin.PostAsync($"/api/v1/tenants/{tenant.TenantId}/api-keys", null)));

        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created);
        (await system.ScalarAsync<long>("select count(*) from api_keys where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(9);
    }

    [Fact]
    public async Task Creating_a_tenant_with_an_idempotency_key_twice_creates_one_tenant()
    {
        var key = Guid.NewGuid().ToString();
        async Task<HttpResponseMessage> Post(string name)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tenants") { Content = JsonContent.Create(new { name, plan = "pro" }) };
            request.Headers.Add("Idempotency-Key", key);
            return await system.Admin.SendAsync(request);
        }

        var first = await (await Post("Idem Corp")).ShouldBeJsonAsync(HttpStatusCode.Created);
        var second = await (await Post("Idem Corp")).ShouldBeJsonAsync(HttpStatusCode.Created);
        second.GetProperty("id").GetGuid().ShouldBe(first.GetProperty("id").GetGuid());
        await (await Post("Other Corp")).ShouldBeErrorAsync(HttpStatusCode.Conflict, "idempotency_key_reused");
        (await system.ScalarAsync<long>("select count(*) from tenants where name = 'Idem Corp'")).ShouldBe(1);
        (await system.ScalarAsync<long>("select count(*) from tenants where name = 'Other Corp'")).ShouldBe(0);
    }
}
