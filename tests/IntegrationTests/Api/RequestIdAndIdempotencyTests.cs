using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shouldly;

namespace Integrations.IntegrationTests.Api;

public class RequestIdAndIdempotencyTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task The_request_id_is_on_error_responses_and_in_the_log_lines_of_the_request()
    {
        var logs = new CapturingLoggerProvider();
        var (api, address) = await system.StartApiInstanceAsync(b => b.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Information)
            .AddFilter("Integrations", LogLevel.Information));
        try
        {
            var tenant = await system.CreateTenantWithKeyAsync();
            using var client = new HttpClient { BaseAddress = address };
            client.DefaultRequestHeaders.Authorization = tenant.Client.DefaultRequestHeaders.Authorization;

            var invalid = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = JsonContent.Create(new { event_type = "nope", data = new { } }) };
            invalid.Headers.Add("X-Request-Id", "trace-invalid-1");
            var rejected = await client.SendAsync(invalid);
            await rejected.ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
            rejected.Headers.GetValues("X-Request-Id").Single().ShouldBe("trace-invalid-1", "error responses keep the request id");

            var publish = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = JsonContent.Create(new { event_type = "user.joined", data = new { user_id = "u_1" } }) };
            publish.Headers.Add("X-Request-Id", "trace-log-42");
            (await client.SendAsync(publish)).StatusCode.ShouldBe(HttpStatusCode.Accepted);

            logs.Entries.ShouldContain(e => e.Scopes.Contains("RequestId=trace-log-42") && e.Message.Contains("IngestEventCommand"),
                "the use case's log line is in the request's scope");
        }
        finally
        {
            await api.StopAsync();
            await api.DisposeAsync();
        }
    }

    [Fact]
    public async Task Api_key_creation_honours_idempotency_keys_and_keeps_the_replayed_key_encrypted()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var other = await system.CreateTenantWithKeyAsync();
        var idempotencyKey = "key-" + Guid.NewGuid();
        Task<HttpResponseMessage> Create(Guid tenantId)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/tenants/{tenantId}/api-keys");
            request.Headers.Add("Idempotency-Key", idempotencyKey);
            return system.Admin.SendAsync(request);
        }

        var first = await Create(tenant.TenantId);
        var created = await first.ShouldBeJsonAsync(HttpStatusCode.Created);
        first.Headers.Contains("Idempotent-Replayed").ShouldBeFalse();
        var again = await Create(tenant.TenantId);
        var replayed = await again.ShouldBeJsonAsync(HttpStatusCode.Created);
        again.Headers.GetValues("Idempotent-Replayed").Single().ShouldBe("true");
        replayed.GetProperty("id").GetGuid().ShouldBe(created.GetProperty("id").GetGuid());
        replayed.GetProperty("key").GetString().ShouldBe(created.GetProperty("key").GetString());
        // Idempotency keys are per tenant: the same key for another tenant issues that tenant's own key, never the first one.
        var forOther = await (await Create(other.TenantId)).ShouldBeJsonAsync(HttpStatusCode.Created);
        forOther.GetProperty("id").GetGuid().ShouldNotBe(created.GetProperty("id").GetGuid());
        forOther.GetProperty("key").GetString().ShouldNotBe(created.GetProperty("key").GetString());
        (await system.ScalarAsync<long>("select count(*) from api_keys where tenant_id = @t and id = @id", ("t", other.TenantId), ("id", forOther.GetProperty("id").GetGuid()))).ShouldBe(1);

        (await system.ScalarAsync<long>("select count(*) from api_keys where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(2);
        var key = created.GetProperty("key").GetString()!;
        // The secret is everything after "{prefix}_"; it is base64url, so it may itself contain '_'
        // (the part after the last '_' can be a few characters that appear in any stored response).
        var prefix = created.GetProperty("prefix").GetString()!;
        key.ShouldStartWith(prefix + "_");
        var secret = key[(prefix.Length + 1)..];
        (await system.ScalarAsync<long>("select count(*) from idempotency_keys where response_json like '%' || @s || '%'", ("s", secret))).ShouldBe(0, "stored encrypted");
        (await system.Client(key).GetAsync($"/api/v1/tenants/{tenant.TenantId}")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_openapi_document_is_3_1_and_documents_every_operation_the_conventions_and_the_webhooks()
    {
        var document = await (await system.Client().GetAsync("/openapi/v1.json")).ShouldBeJsonAsync(HttpStatusCode.OK);

        document.GetProperty("openapi").GetString().ShouldStartWith("3.1");
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "patch" or "delete").Select(o => (Path: p.Name, Operation: o.Value))).ToList();
        operations.Count.ShouldBeGreaterThanOrEqualTo(12);
        foreach (var (path, operation) in operations)
        {
            operation.GetProperty("operationId").GetString().ShouldNotBeNullOrEmpty(path);
            operation.GetProperty("summary").GetString().ShouldNotBeNullOrEmpty(path);
            var responses = operation.GetProperty("responses");
            responses.GetProperty("429").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString().ShouldBe("#/components/schemas/ApiErrorBody");
            responses.GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _).ShouldBeTrue(path);
            foreach (var response in responses.EnumerateObject())
                response.Value.GetProperty("headers").TryGetProperty("X-Request-Id", out _).ShouldBeTrue($"{path} {response.Name}");
        }
        var listEvents = operations.Single(o => o.Operation.GetProperty("operationId").GetString() == "listEvents").Operation;
        listEvents.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString())
            .ShouldBe(["tenant_id", "limit", "cursor", "sort", "fields", "event_type", "status", "created_after", "created_before"], ignoreOrder: true);
        document.GetProperty("components").GetProperty("schemas").GetProperty("EventDto").GetProperty("properties").TryGetProperty("event_type", out _).ShouldBeTrue("snake_case");
        document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString().ShouldBe("bearer");
        var webhooks = document.GetProperty("webhooks");
        webhooks.EnumerateObject().Select(w => w.Name).ShouldContain("invoice.paid");
        webhooks.GetProperty("invoice.paid").GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json")
            .GetProperty("schema").GetProperty("properties").GetProperty("data").GetProperty("required").EnumerateArray().Select(r => r.GetString())
            .ShouldBe(["invoice_id", "amount_cents", "currency"]);
    }

    [Fact]
    public async Task The_docs_serve_the_guides_the_reference_and_the_catalog_offline()
    {
        var client = system.Client();
        foreach (var (path, text) in new[] { ("/docs", "Integrations API"), ("/docs/getting-started", "Idempotency-Key"), ("/docs/event-catalog", "invoice.paid"),
                     ("/docs/rate-limits", "X-RateLimit-Remaining"), ("/docs/conventions", "next_cursor"), ("/docs/changelog", "v1"), ("/docs/reference", "redoc.standalone.js") })
        {
            var response = await client.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            (await response.Content.ReadAsStringAsync()).ShouldContain(text, Case.Sensitive, path);
        }
        var bundle = await client.GetAsync("/docs/assets/redoc.standalone.js");
        bundle.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await bundle.Content.ReadAsByteArrayAsync()).Length.ShouldBeGreaterThan(500_000);
        (await client.GetAsync("/docs/nope")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
