using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging;
using Shouldly;

namespace Integrations.IntegrationTests.Api;

/// <summary>
/// Input a fuzzer found at the edges of JSON and HTTP (issue 16): each is refused once, in the
/// error format, before anything is stored; none is a 500.
/// </summary>
public class InputEdgeTests(TestSystem system) : IClassFixture<TestSystem>
{
    private static ByteArrayContent Json(string body) => Bytes(Encoding.UTF8.GetBytes(body));

    private static ByteArrayContent Bytes(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private Task<long> EventCountAsync(Guid tenantId) => system.ScalarAsync<long>("select count(*) from events where tenant_id = @t", ("t", tenantId));

    public static TheoryData<string, string, string> LoneSurrogates => new()
    {
        { """{"event_type":"entity.created","data":{"entity_id":"e1","note":"\ud800"}}""", "data.note", "free-form data" },
        { """{"event_type":"invoice.paid","data":{"invoice_id":"\udc00","amount_cents":1,"currency":"EUR"}}""", "data.invoice_id", "a typed string" },
        { """{"event_type":"entity.created","data":{"entity_id":"e1","\ud800x":1}}""", "data", "a property name" },
        { """{"event_type":"entity.created","data":{"entity_id":"e1","nested":{"list":["ok","\udfff\ud800"]}}}""", "data.nested.list[1]", "nested in an array" },
    };

    [Theory]
    [MemberData(nameof(LoneSurrogates))]
    public async Task A_lone_surrogate_escape_is_400_invalid_json_naming_where_and_stores_nothing(string body, string field, string where)
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var error = await (await tenant.Client.PostAsync("/api/v1/events", Json(body))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        error.Fields().ShouldContain(field, where);
        var batch = $$$"""{"events":[{"event_type":"user.joined","data":{"user_id":"u1"}},{{{body}}}]}""";
        (await (await tenant.Client.PostAsync("/api/v1/events/batch", Json(batch))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json"))
            .Fields().ShouldContain("events[1]." + field, where);
        (await EventCountAsync(tenant.TenantId)).ShouldBe(0);
    }

    [Fact]
    public async Task Lone_surrogates_in_patched_descriptions_and_app_urls_are_400()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var endpoint = await (await tenant.Client.PostAsync("/api/v1/webhook-endpoints",
            Json("""{"url":"https://example.com/hook","event_types":["invoice.paid"]}"""))).ShouldBeJsonAsync(HttpStatusCode.Created);
        var endpointId = endpoint.GetProperty("id").GetGuid();
        (await (await tenant.Client.PatchAsync($"/api/v1/webhook-endpoints/{endpointId}", Json("""{"description":"a\ud800"}""")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json")).Fields().ShouldContain("description");

        var app = await (await tenant.Client.PostAsync("/api/v1/apps", Json(
            """{"name":"Edge","redirect_uris":["https://app.example.com/cb"],"scopes":["events:read"],"client_type":"confidential"}"""))).ShouldBeJsonAsync(HttpStatusCode.Created);
        var appId = app.GetProperty("app").GetProperty("id").GetString();
        foreach (var field in new[] { "description", "homepage_url", "logo_url" })
            (await (await tenant.Client.PatchAsync($"/api/v1/apps/{appId}", Json($$"""{"{{field}}":"https://x.example.com/\udc00"}""")))
                .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json")).Fields().ShouldContain(field);
        (await (await tenant.Client.PatchAsync($"/api/v1/apps/{appId}", Json("""{"screenshot_urls":["https://x.example.com/a.png","\ud801"]}""")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json")).Fields().ShouldContain("screenshot_urls[1]");
    }

    [Fact]
    public async Task Invalid_utf8_inside_and_outside_strings_is_400()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        byte[] Body(string before, byte[] raw, string after) => [.. Encoding.UTF8.GetBytes(before), .. raw, .. Encoding.UTF8.GetBytes(after)];

        (await (await tenant.Client.PostAsync("/api/v1/events", Bytes(Body("""{"event_type":"entity.created","data":{"entity_id":"e1","note":"a""", [0xFF, 0xFE], "\"}}"))))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json")).Fields().ShouldContain("data.note");
        // An overlong encoding of '/', and a truncated sequence.
        await (await tenant.Client.PostAsync("/api/v1/events", Bytes(Body("{\"event_type\":\"entity.created\",\"data\":{\"entity_id\":\"e1\",\"n\":\"", [0xC0, 0xAF], "\"}}"))))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        await (await tenant.Client.PostAsync("/api/v1/events", Bytes(Body("{\"event_type\":\"entity.created\",\"data\":{\"entity_id\":\"e1\",\"n\":\"", [0xE2, 0x82], "\"}}"))))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        await (await tenant.Client.PostAsync("/api/v1/events", Bytes(Body("""{"event_type":"entity.created","data":""", [0xFF], "}"))))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        (await EventCountAsync(tenant.TenantId)).ShouldBe(0);
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("123456789012345678901234567890")]
    public async Task Numbers_beyond_int64_or_double_are_400(string number)
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var error = await (await tenant.Client.PostAsync("/api/v1/events", Json($$$"""{"event_type":"invoice.paid","data":{"invoice_id":"in_1","amount_cents":{{{number}}},"currency":"EUR"}}""")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        error.GetProperty("details")[0].GetProperty("code").GetString().ShouldBe("number_out_of_range");
        error.Fields().ShouldContain("data.amount_cents");
        (await EventCountAsync(tenant.TenantId)).ShouldBe(0);
    }

    [Fact]
    public async Task The_int64_bounds_and_finite_exponents_are_accepted()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        (await tenant.Client.PostAsync("/api/v1/events", Json("""{"event_type":"invoice.paid","data":{"invoice_id":"in_1","amount_cents":9223372036854775807,"currency":"EUR"}}""")))
            .StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await tenant.Client.PostAsync("/api/v1/events", Json("""{"event_type":"entity.created","data":{"entity_id":"e1","ratio":1.5e300,"min":-9223372036854775808}}""")))
            .StatusCode.ShouldBe(HttpStatusCode.Accepted);
    }

    [Theory]
    [InlineData("""{"event_type":"invoice.paid","event_type":"user.joined","data":{"user_id":"u1"}}""", "event_type")]
    [InlineData("""{"event_type":"entity.created","data":{"entity_id":"e1","entity_id":"e2"}}""", "data.entity_id")]
    [InlineData("""{"event_type":"entity.created","data":{"entity_id":"e1","x":{"a":1,"\u0061":2}}}""", "data.x.a")]
    public async Task A_property_twice_in_one_object_is_400(string body, string field)
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var error = await (await tenant.Client.PostAsync("/api/v1/events", Json(body))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        error.GetProperty("details")[0].GetProperty("code").GetString().ShouldBe("duplicate_property");
        error.Fields().ShouldContain(field);
        (await EventCountAsync(tenant.TenantId)).ShouldBe(0);
    }

    [Fact]
    public async Task Field_names_match_exactly_as_the_schema_says()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        (await (await tenant.Client.PostAsync("/api/v1/webhook-endpoints", Json("""{"URL":"https://example.com/hook","EVENT_TYPES":["invoice.paid"]}""")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json")).Fields().ShouldContain("URL");
        (await (await tenant.Client.PostAsync("/api/v1/events", Json("""{"EVENT_TYPE":"user.joined","DATA":{"user_id":"u1"}}""")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json")).Fields().ShouldContain("EVENT_TYPE");
        (await (await system.Admin.PostAsync("/api/v1/tenants", Json("""{"Name":"Acme","plan":"pro"}""")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json")).Fields().ShouldContain("Name");
        (await EventCountAsync(tenant.TenantId)).ShouldBe(0);
    }

    [Theory]
    [InlineData("\"+5\"")]
    [InlineData("\"5\"")]
    [InlineData("5.5")]
    public async Task An_integer_field_takes_only_a_JSON_integer(string value)
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var error = await (await tenant.Client.PostAsync("/api/v1/webhook-endpoints",
                Json($$"""{"url":"https://example.com/hook","event_types":["invoice.paid"],"rate_limit_per_minute":{{value}}}""")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        error.Fields().ShouldContain("rate_limit_per_minute");
        error.GetProperty("details")[0].GetProperty("message").GetString().ShouldBe("Expected an integer.");
    }

    [Fact]
    public async Task Error_messages_name_JSON_types_never_dotnet_types()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var responses = new[]
        {
            await system.Admin.PostAsync("/api/v1/tenants", Json("""{"name":"Acme","plan":5}""")),
            await system.Admin.PostAsync("/api/v1/tenants", Json("""{"name":["Acme"],"plan":"pro"}""")),
            await system.Admin.PostAsync("/api/v1/tenants", Json("""{"name":"Acme","plan":"pro","extra":1}""")),
            await tenant.Client.PostAsync("/api/v1/webhook-endpoints", Json("""{"url":"https://example.com/hook","event_types":"invoice.paid"}""")),
            await tenant.Client.PostAsync("/api/v1/events", Json("""{"event_type":"user.joined","data":{"user_id":"u1"},"tenant_id":"not-a-uuid"}""")),
            await system.Admin.GetAsync("/api/v1/tenants/not-a-guid/api-keys"),
            await tenant.Client.GetAsync("/api/v1/webhook-deliveries?endpoint_id=not-a-uuid"),
        };
        foreach (var response in responses)
        {
            var text = await response.Content.ReadAsStringAsync();
            ((int)response.StatusCode).ShouldBeInRange(400, 499, text);
            text.ShouldNotContain("System.", customMessage: text);
            text.ShouldNotContain("Integrations.", customMessage: text);
            text.ShouldNotContain("Nullable", customMessage: text);
        }
        var binding = await responses[^1].ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
        binding.Fields().ShouldContain("endpoint_id");
        binding.GetProperty("details")[0].GetProperty("message").GetString().ShouldBe("Expected a UUID.");
    }

    [Fact]
    public async Task The_wildcard_stands_alone()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var error = await (await tenant.Client.PostAsync("/api/v1/webhook-endpoints", Json("""{"url":"https://example.com/hook","event_types":["*","user.joined"]}""")))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        error.GetProperty("details")[0].GetProperty("code").GetString().ShouldBe("wildcard_not_alone");
        (await system.ScalarAsync<long>("select count(*) from webhook_endpoints where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);
    }

    [Fact]
    public async Task Recover_takes_a_date_time_with_an_offset_not_a_date()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var endpoint = await (await tenant.Client.PostAsync("/api/v1/webhook-endpoints",
            Json("""{"url":"https://example.com/hook","event_types":["invoice.paid"]}"""))).ShouldBeJsonAsync(HttpStatusCode.Created);
        var id = endpoint.GetProperty("id").GetGuid();

        foreach (var since in new[] { "2026-01-01", "2026-01-01T00:00:00", "yesterday" })
            (await (await tenant.Client.PostAsync($"/api/v1/webhook-endpoints/{id}/recover", Json($$"""{"since":"{{since}}"}""")))
                .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json")).Fields().ShouldContain("since");
        (await tenant.Client.PostAsync($"/api/v1/webhook-endpoints/{id}/recover", Json("""{"since":"2026-01-01T00:00:00Z"}""")))
            .StatusCode.ShouldBe(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task An_empty_content_type_is_415_unsupported_media_type()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"event_type":"user.joined","data":{"user_id":"u1"}}"""));
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = content };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "");

        await (await tenant.Client.SendAsync(request)).ShouldBeErrorAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task An_over_long_url_is_414_in_the_error_format()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        await (await tenant.Client.GetAsync("/api/v1/events?cursor=" + new string('a', 10_000))).ShouldBeErrorAsync(HttpStatusCode.RequestUriTooLong, "uri_too_long");
        await (await tenant.Client.GetAsync("/api/v1/events?cursor=" + new string('a', 40_000))).ShouldBeErrorAsync(HttpStatusCode.RequestUriTooLong, "uri_too_long");
    }

    [Theory]
    [InlineData("Idempotency-Key")]
    [InlineData("Authorization")]
    public async Task A_non_ascii_value_of_a_header_the_API_reads_is_400_in_the_error_format(string header)
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = Json("""{"event_type":"user.joined","data":{"user_id":"u1"}}""") };
        request.Headers.TryAddWithoutValidation("Authorization", header == "Authorization" ? "Bearer ik_é" : "Bearer " + tenant.Key);
        if (header == "Idempotency-Key") request.Headers.TryAddWithoutValidation("Idempotency-Key", "clé-1");
        // .NET sends header values as Latin-1 when told to: the bytes a non-ASCII client would send.
        var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1 };
        using var raw = new HttpClient(handler) { BaseAddress = system.BaseAddress };

        var error = await (await raw.SendAsync(request)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_header");
        error.Fields().ShouldContain(header);
        (await EventCountAsync(tenant.TenantId)).ShouldBe(0);
    }

    [Fact]
    public async Task A_non_ascii_request_id_is_replaced_not_refused()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.TryAddWithoutValidation("X-Request-Id", "trace-é");
        using var raw = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1 }) { BaseAddress = system.BaseAddress };

        var response = await raw.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("X-Request-Id").Single().ShouldStartWith("req_");
    }

    [Fact]
    public async Task A_NUL_character_is_the_clients_fault_logged_without_an_error_or_a_stack_trace()
    {
        var logs = new CapturingLoggerProvider();
        var (api, address) = await system.StartApiInstanceAsync(b => b.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug)
            .AddFilter("Integrations", LogLevel.Debug).AddFilter("Microsoft.AspNetCore", LogLevel.Debug));
        try
        {
            using var client = new HttpClient { BaseAddress = address };
            client.DefaultRequestHeaders.Authorization = system.Admin.DefaultRequestHeaders.Authorization;
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tenants") { Content = Json("""{"name":"nul\u0000name","plan":"pro"}""") };
            request.Headers.Add("X-Request-Id", "trace-nul-1");

            await (await client.SendAsync(request)).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

            var lines = logs.Entries.Where(e => e.Scopes.Contains("RequestId=trace-nul-1")).ToList();
            lines.ShouldNotBeEmpty();
            lines.ShouldNotContain(e => e.Level >= LogLevel.Warning, string.Join("\n", lines.Select(l => $"{l.Level} {l.Category}: {l.Message}")));
            lines.ShouldNotContain(e => e.Exception != null);
        }
        finally
        {
            await api.StopAsync();
            await api.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_openapi_document_lists_what_the_edges_answer_and_who_may_call()
    {
        var document = await (await system.Client().GetAsync("/openapi/v1.json")).ShouldBeJsonAsync(HttpStatusCode.OK);
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete").Select(o => (Path: p.Name, Id: o.Value.GetProperty("operationId").GetString()!, Operation: o.Value))).ToList();
        foreach (var (path, id, operation) in operations)
        {
            var responses = operation.GetProperty("responses");
            responses.TryGetProperty("414", out _).ShouldBeTrue($"{id}: a long URL is 414");
            responses.GetProperty("503").GetProperty("headers").TryGetProperty("Retry-After", out _).ShouldBeTrue($"{id}: 503 with Retry-After");
            responses.TryGetProperty("405", out _).ShouldBeTrue($"{id}: a .. path may resolve to another route");
        }
        Operation("listMarketplaceApps").GetProperty("security").EnumerateArray().ShouldHaveSingleItem().EnumerateObject().ShouldBeEmpty("anonymous");
        Operation("acceptInvitation").GetProperty("security").EnumerateArray().ShouldHaveSingleItem().EnumerateObject().ShouldBeEmpty("anonymous");
        Operation("listEvents").TryGetProperty("security", out _).ShouldBeFalse("the document's bearer requirement applies");
        Operation("getWebhookEndpoint").GetProperty("responses").TryGetProperty("422", out _).ShouldBeTrue("the admin key without tenant_id");
        Operation("publishEvent").GetProperty("responses").GetProperty("400").GetProperty("description").GetString()!.ShouldContain("invalid_header");

        var schemas = document.GetProperty("components").GetProperty("schemas");
        var register = schemas.GetProperty("RegisterAppRequest");
        register.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldNotContain("description");
        register.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldNotContain("homepage_url");
        foreach (var schema in new[] { "RegisterAppRequest", "CreateTenantRequest", "IngestEventRequest", "CreateWebhookEndpointRequest" })
        {
            var body = schemas.GetProperty(schema);
            foreach (var required in body.GetProperty("required").EnumerateArray().Select(r => r.GetString()!))
            {
                var property = body.GetProperty("properties").GetProperty(required);
                if (property.TryGetProperty("type", out var type))
                    type.ToString().ShouldNotContain("null", customMessage: $"{schema}.{required} is required, so never null");
            }
        }

        JsonElement Operation(string operationId) => operations.Single(o => o.Id == operationId).Operation;
    }
}
