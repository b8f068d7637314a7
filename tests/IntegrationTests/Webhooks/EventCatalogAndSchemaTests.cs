using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.WebhookEndpoints.Commands.DisableWebhookEndpoint;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks;

public class EventCatalogAndSchemaTests(TestSystem system) : IClassFixture<TestSystem>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task The_catalog_lists_every_type_with_description_schema_sample_and_source()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var catalog = await (await tenant.Client.GetAsync("/api/v1/event-types?limit=100")).ShouldBeJsonAsync(HttpStatusCode.OK);

        catalog.GetProperty("has_more").GetBoolean().ShouldBeFalse();
        var types = catalog.GetProperty("data").EnumerateArray().ToList();
        types.Select(t => t.GetProperty("name").GetString()).ShouldBe(new[]
        {
            "entity.created", "entity.updated", "entity.deleted", "user.invited", "user.joined", "user.removed",
            "subscription.created", "subscription.updated", "subscription.cancelled", "invoice.paid", "invoice.failed", "notification.requested", "webhook_endpoint.disabled",
            "inbound.received", "sync.item_received",
        }.Order(StringComparer.Ordinal), "by name");
        foreach (var type in types)
        {
            type.GetProperty("description").GetString().ShouldNotBeNullOrWhiteSpace();
            var schema = type.GetProperty("schema");
            schema.GetProperty("$schema").GetString().ShouldBe("https://json-schema.org/draft/2020-12/schema");
            schema.GetProperty("type").GetString().ShouldBe("object");
            schema.GetProperty("additionalProperties").GetBoolean().ShouldBeTrue("schemas are forward compatible");
            type.GetProperty("sample").ValueKind.ShouldBe(JsonValueKind.Object);
            type.GetProperty("source").GetString().ShouldBe(type.GetProperty("name").GetString() is "webhook_endpoint.disabled" or "inbound.received" or "sync.item_received" ? "platform" : "product");
        }
        var updated = types.Single(t => t.GetProperty("name").GetString() == "entity.updated");
        updated.GetProperty("schema").GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldContain("changed_fields");
        updated.GetProperty("sample").GetProperty("changes").ValueKind.ShouldBe(JsonValueKind.Object);
    }

    [Fact]
    public async Task The_catalog_follows_the_list_conventions_pages_filters_and_refusals()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var all = (await (await tenant.Client.GetAsync("/api/v1/event-types?limit=100")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToList();

        // Forward in pages of four, then back from the last page.
        var seen = new List<string>();
        string? cursor = null;
        JsonElement page;
        do
        {
            page = await (await tenant.Client.GetAsync("/api/v1/event-types?limit=4" + (cursor is null ? "" : "&cursor=" + cursor))).ShouldBeJsonAsync(HttpStatusCode.OK);
            page.GetProperty("data").GetArrayLength().ShouldBeLessThanOrEqualTo(4);
            seen.AddRange(page.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString()!));
            cursor = page.GetProperty("next_cursor").GetString();
        } while (cursor is not null);
        seen.ShouldBe(all);
        var back = await (await tenant.Client.GetAsync("/api/v1/event-types?limit=4&cursor=" + page.GetProperty("previous_cursor").GetString()))
            .ShouldBeJsonAsync(HttpStatusCode.OK);
        back.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ShouldBe(all.Skip((all.Count - 1) / 4 * 4 - 4).Take(4));

        var descending = await (await tenant.Client.GetAsync("/api/v1/event-types?limit=100&sort=name:desc")).ShouldBeJsonAsync(HttpStatusCode.OK);
        descending.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ShouldBe(Enumerable.Reverse(all));
        var platform = await (await tenant.Client.GetAsync("/api/v1/event-types?source=platform&limit=100")).ShouldBeJsonAsync(HttpStatusCode.OK);
        platform.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString())
            .ShouldBe(["inbound.received", "sync.item_received", "webhook_endpoint.disabled"]);
        var search = await (await tenant.Client.GetAsync("/api/v1/event-types?q=INVOICE")).ShouldBeJsonAsync(HttpStatusCode.OK);
        search.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ShouldBe(["invoice.failed", "invoice.paid"]);
        var names = await (await tenant.Client.GetAsync("/api/v1/event-types?fields=name&limit=1")).ShouldBeJsonAsync(HttpStatusCode.OK);
        names.GetProperty("data")[0].EnumerateObject().Select(p => p.Name).ShouldBe(["name"]);

        await (await tenant.Client.GetAsync("/api/v1/event-types?source=partner")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await tenant.Client.GetAsync("/api/v1/event-types?sort=description")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
        await (await tenant.Client.GetAsync("/api/v1/event-types?cursor=bm90LW91cnM")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await tenant.Client.GetAsync("/api/v1/event-types?limit=101")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
    }

    [Fact]
    public async Task No_schema_requires_secrets_or_personal_data()
    {
        var catalog = await (await system.Admin.GetAsync("/api/v1/event-types")).ShouldBeJsonAsync(HttpStatusCode.OK);
        var required = catalog.GetProperty("data").EnumerateArray()
            .SelectMany(t => t.GetProperty("schema").GetProperty("required").EnumerateArray().Select(r => r.GetString()!)).ToList();

        required.ShouldNotBeEmpty();
        required.ShouldAllBe(name => !new[] { "email", "name", "password", "secret", "token", "phone", "address" }.Any(name.Contains));
    }

    [Fact]
    public async Task Every_product_sample_is_accepted_by_ingestion()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var catalog = await (await tenant.Client.GetAsync("/api/v1/event-types")).ShouldBeJsonAsync(HttpStatusCode.OK);

        foreach (var type in catalog.GetProperty("data").EnumerateArray().Where(t => t.GetProperty("source").GetString() == "product"))
        {
            var body = new { event_type = type.GetProperty("name").GetString(), data = type.GetProperty("sample") };
            await (await tenant.Client.PostAsJsonAsync("/api/v1/events", body)).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        }
    }

    [Theory]
    [InlineData("invoice.paid", """{"invoice_id": "in_1", "currency": "EUR"}""", "data.amount_cents")]
    [InlineData("invoice.paid", """{"invoice_id": "in_1", "amount_cents": "42", "currency": "EUR"}""", "data.amount_cents")]
    [InlineData("invoice.paid", """{"invoice_id": "in_1", "amount_cents": 4.5, "currency": "EUR"}""", "data.amount_cents")]
    [InlineData("invoice.paid", """{"invoice_id": "in_1", "amount_cents": -1, "currency": "EUR"}""", "data.amount_cents")]
    [InlineData("invoice.failed", """{"invoice_id": "in_1", "amount_cents": 1, "currency": "eur"}""", "data.currency")]
    [InlineData("user.invited", """{"user_id": 7}""", "data.user_id")]
    [InlineData("user.invited", """{"user_id": ""}""", "data.user_id")]
    [InlineData("entity.updated", """{"entity_id": "e1"}""", "data.changed_fields")]
    [InlineData("entity.updated", """{"entity_id": "e1", "changed_fields": []}""", "data.changed_fields")]
    [InlineData("entity.updated", """{"entity_id": "e1", "changed_fields": ["title", 3]}""", "data.changed_fields[1]")]
    [InlineData("entity.updated", """{"entity_id": "e1", "changed_fields": ["dueDate"], "changes": {"dueDate": "2026-12-01"}}""", "data.changes.dueDate")]
    [InlineData("subscription.created", """{"subscription_id": "s1", "plan": "pro", "status": "frozen"}""", "data.status")]
    [InlineData("subscription.created", """{"subscription_id": "s1", "plan": "pro", "quantity": 0}""", "data.quantity")]
    public async Task Data_that_violates_its_schema_is_422_naming_the_path_and_stores_nothing(string eventType, string data, string field)
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var error = await (await tenant.Client.PostAsync("/api/v1/events", Json($$"""{"event_type": "{{eventType}}", "data": {{data}}}""")))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        var detail = error.GetProperty("details").EnumerateArray().ShouldHaveSingleItem();
        detail.GetProperty("field").GetString().ShouldBe(field);
        detail.GetProperty("code").GetString().ShouldBe("schema_violation");
        detail.GetProperty("message").GetString().ShouldNotBeNullOrWhiteSpace();
        (await system.ScalarAsync<long>("select count(*) from events where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);
    }

    [Fact]
    public async Task A_NUL_character_in_data_is_422_naming_the_path_and_stores_nothing()
    {
        // JSON allows \u0000 in strings; PostgreSQL's jsonb does not, so it must be refused before anything is written.
        var tenant = await system.CreateTenantWithKeyAsync();
        const string data = """{"invoice_id": "in_1\u0000", "amount_cents": 100, "currency": "EUR"}""";

        var single = await (await tenant.Client.PostAsync("/api/v1/events", Json($$"""{"event_type": "invoice.paid", "data": {{data}}}""")))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        var detail = single.GetProperty("details").EnumerateArray().ShouldHaveSingleItem();
        detail.GetProperty("field").GetString().ShouldBe("data.invoice_id");
        detail.GetProperty("code").GetString().ShouldBe("invalid_character");

        var batch = await (await tenant.Client.PostAsync("/api/v1/events/batch",
                Json("""{"events": [{"event_type": "user.joined", "data": {"user_id": "u_1"}}, {"event_type": "invoice.paid", "data": """ + data + "}]}")))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        batch.GetProperty("details").EnumerateArray().ShouldHaveSingleItem().GetProperty("field").GetString().ShouldBe("events[1].data.invoice_id");
        (await system.ScalarAsync<long>("select count(*) from events where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);

        // A backslash followed by "u0000" is ordinary text.
        await (await tenant.Client.PostAsync("/api/v1/events", Json("""{"event_type": "invoice.paid", "data": {"invoice_id": "in_\\u0000", "amount_cents": 100, "currency": "EUR"}}""")))
            .ShouldBeJsonAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Every_violation_is_reported_at_once()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var error = await (await tenant.Client.PostAsync("/api/v1/events", Json("""{"event_type": "invoice.paid", "data": {"amount_cents": true}}""")))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        error.Fields().ShouldBe(["data.invoice_id", "data.currency", "data.amount_cents"], ignoreOrder: true);
    }

    [Fact]
    public async Task Additional_and_null_optional_fields_are_accepted()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        await (await tenant.Client.PostAsync("/api/v1/events", Json("""
            {"event_type": "invoice.paid", "data": {"invoice_id": "in_1", "amount_cents": 100.0, "currency": "EUR", "subscription_id": null,
             "tax_cents": 19, "lines": [{"sku": "pro"}]}}
            """))).ShouldBeJsonAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Platform_event_types_cannot_be_published_through_the_api()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var body = """{"event_type": "webhook_endpoint.disabled", "data": {"endpoint_id": "0193a5f2-6c1e-7a44-9b1d-3f0e8c2a7d51", "url": "https://x.example.com", "reason": "gone", "message": "m", "disabled_at": "2026-11-22T12:00:00Z"}}""";

        var error = await (await tenant.Client.PostAsync("/api/v1/events", Json(body))).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        error.GetProperty("details").EnumerateArray().ShouldContain(d => d.GetProperty("field").GetString() == "event_type" && d.GetProperty("code").GetString() == "reserved_event_type");
        (await system.ScalarAsync<long>("select count(*) from events where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);
    }

    [Fact]
    public async Task The_delivery_sides_disable_command_records_the_platform_event_on_the_ingestion_path()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var id = (await tenant.Client.CreateEndpointAsync("invoice.paid")).Id();

        await using (var scope = system.Api.Services.CreateAsyncScope())
        {
            var dto = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(
                new DisableWebhookEndpointCommand(tenant.TenantId, id, "consecutive_failures", "100 consecutive deliveries failed; the last answered HTTP 503."));
            dto.Status.ShouldBe(WebhookEndpointStatuses.Disabled);
            dto.DisabledReason.ShouldBe("consecutive_failures");
        }

        var endpoint = await tenant.Client.GetEndpointAsync(id);
        endpoint.GetProperty("status").GetString().ShouldBe("disabled");
        endpoint.GetProperty("disabled_reason").GetString().ShouldBe("consecutive_failures");
        endpoint.GetProperty("disabled_message").GetString()!.ShouldContain("HTTP 503");

        var listed = await (await tenant.Client.GetAsync("/api/v1/events?event_type=webhook_endpoint.disabled")).ShouldBeJsonAsync(HttpStatusCode.OK);
        var @event = listed.GetProperty("data").EnumerateArray().ShouldHaveSingleItem();
        var eventId = @event.GetProperty("id").GetGuid();
        @event.GetProperty("data").GetProperty("reason").GetString().ShouldBe("consecutive_failures");
        system.Api.Services.GetRequiredService<IEventSchemaValidator>().Validate("webhook_endpoint.disabled", @event.GetProperty("data")).ShouldBeEmpty();
        (await system.ScalarAsync<long>("select count(*) from outbox where message_id = @id and topic = 'integrations.events.v1' and message_key = @t",
            ("id", eventId), ("t", tenant.TenantId.ToString()))).ShouldBe(1);

        await Eventually.HoldsAsync(async () =>
            (await (await tenant.Client.GetAsync($"/api/v1/events/{eventId}")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("status").GetString() == "dispatched",
            TimeSpan.FromSeconds(30), "the platform event travels outbox → Kafka → Workers like any ingested event");
    }

    [Fact]
    public async Task The_disable_command_refuses_unknown_reasons()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var id = (await tenant.Client.CreateEndpointAsync("invoice.paid")).Id();

        await using var scope = system.Api.Services.CreateAsyncScope();
        var error = await Should.ThrowAsync<Application.Common.Exceptions.ValidationException>(() =>
            scope.ServiceProvider.GetRequiredService<IMediator>().Send(new DisableWebhookEndpointCommand(tenant.TenantId, id, "bored", "m")));
        error.Errors.ShouldContain(e => e.Field == "reason");
    }
}
