using System.Net;
using System.Text;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Api;

/// <summary>Bad input of every kind gets the documented error format, never a stack trace, and changes nothing.</summary>
public class ErrorFormatTests(TestSystem system) : IClassFixture<TestSystem>
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Malformed_json_is_400_invalid_json()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var before = await system.ScalarAsync<long>("select count(*) from marten.mt_events");

        await (await tenant.Client.PostAsync("/api/v1/events", Json("""{"event_type": "invoice.paid", "data": {"""))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        await (await tenant.Client.PostAsync("/api/v1/events", Json("not json at all"))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        await (await tenant.Client.PostAsync("/api/v1/events", Json(""))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");

        (await system.ScalarAsync<long>("select count(*) from marten.mt_events")).ShouldBe(before);
    }

    [Fact]
    public async Task A_wrong_type_is_400_naming_the_field()
    {
        var error = await (await system.Admin.PostAsync("/api/v1/tenants", Json("""{"name": "Acme", "plan": 5}"""))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        error.Fields().ShouldContain("plan");

        var tenant = await system.CreateTenantWithKeyAsync();
        (await (await tenant.Client.PostAsync("/api/v1/events", Json("""{"event_type": ["invoice.paid"], "data": {}}"""))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json"))
            .Fields().ShouldContain("event_type");
    }

    [Fact]
    public async Task Text_with_a_NUL_character_is_422_and_stores_nothing()
    {
        // JSON may carry U+0000; PostgreSQL stores no text with it, and that must not become a 500.
        var name = "nul-" + Guid.NewGuid().ToString("N");
        var error = await (await system.Admin.PostAsync("/api/v1/tenants", Json($$"""{"name": "{{name}}\u0000", "plan": "pro"}""")))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        error.GetProperty("details").EnumerateArray().ShouldHaveSingleItem().GetProperty("code").GetString().ShouldBe("invalid_character");
        (await system.ScalarAsync<long>("select count(*) from tenants where name like @n", ("n", name + "%"))).ShouldBe(0);

        // PostgreSQL refused it while binding an automatically prepared statement; the connection
        // goes back to the pool usable (it failed the next request on it with a protocol error).
        var tenant = await system.CreateTenantWithKeyAsync();
        await (await tenant.Client.PostAsync("/api/v1/webhook-endpoints",
                Json("""{"url": "https://example.com/hook", "event_types": ["invoice.paid"], "description": "a\u0000b"}""")))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        (await system.ScalarAsync<long>("select count(*) from webhook_endpoints where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);
    }

    [Fact]
    public async Task An_unknown_field_is_refused_rather_than_ignored()
    {
        (await (await system.Admin.PostAsync("/api/v1/tenants", Json("""{"name": "Acme", "plan": "pro", "plann": "x"}"""))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json"))
            .Fields().ShouldContain("plann");
    }

    [Fact]
    public async Task An_oversized_body_is_413()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var huge = "{\"event_type\":\"invoice.paid\",\"data\":{\"blob\":\"" + new string('x', 600 * 1024) + "\"}}";

        await (await tenant.Client.PostAsync("/api/v1/events", Json(huge))).ShouldBeErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task Data_over_the_event_limit_but_under_the_body_limit_is_422()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var big = "{\"event_type\":\"invoice.paid\",\"data\":{\"blob\":\"" + new string('x', 300 * 1024) + "\"}}";

        (await (await tenant.Client.PostAsync("/api/v1/events", Json(big))).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed"))
            .Fields().ShouldContain("data");
    }

    [Fact]
    public async Task Unknown_routes_and_methods_and_media_types_get_the_error_format()
    {
        await (await system.Admin.GetAsync("/api/v1/nothing-here")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await system.Admin.GetAsync("/")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await system.Admin.GetAsync($"/api/v1/tenants/not-a-guid")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await system.Admin.PutAsync("/api/v1/tenants", Json("{}"))).ShouldBeErrorAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        await (await system.Admin.PostAsync("/api/v1/tenants", new StringContent("name=x", Encoding.UTF8, "application/x-www-form-urlencoded")))
            .ShouldBeErrorAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task A_bad_query_parameter_type_is_400()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        (await (await tenant.Client.GetAsync("/api/v1/events?limit=ten")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter"))
            .Fields().ShouldContain("limit");
    }

    [Fact]
    public async Task Every_response_carries_a_request_id_and_a_sane_incoming_one_is_kept()
    {
        var plain = await system.Admin.GetAsync("/api/v1/nothing");
        plain.Headers.GetValues("X-Request-Id").Single().ShouldStartWith("req_");

        var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add("X-Request-Id", "trace-123");
        (await system.Admin.SendAsync(request)).Headers.GetValues("X-Request-Id").Single().ShouldBe("trace-123");

        var hostile = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        hostile.Headers.TryAddWithoutValidation("X-Request-Id", "<script>" + new string('a', 300));
        (await system.Admin.SendAsync(hostile)).Headers.GetValues("X-Request-Id").Single().ShouldStartWith("req_");
    }
}
