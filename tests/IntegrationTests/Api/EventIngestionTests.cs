using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Api;

public class EventIngestionTests(TestSystem system) : IClassFixture<TestSystem>
{
    private static object Invoice(int n) => new { event_type = "invoice.paid", data = new { invoice_id = $"in_{n}", amount_cents = 1000 + n, currency = "EUR" } };

    [Fact]
    public async Task An_accepted_event_is_listed_dispatched_and_published_on_the_events_topic()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var response = await tenant.Client.PostAsJsonAsync("/api/v1/events", Invoice(1));
        var accepted = await response.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var id = accepted.GetProperty("id").GetGuid();
        accepted.GetProperty("event_type").GetString().ShouldBe("invoice.paid");
        var timestamp = accepted.GetProperty("timestamp").GetDateTimeOffset();
        response.Headers.Location!.ToString().ShouldBe($"/api/v1/events/{id}");

        var listed = await (await tenant.Client.GetAsync("/api/v1/events")).ShouldBeJsonAsync(HttpStatusCode.OK);
        var first = listed.GetProperty("data")[0];
        first.GetProperty("id").GetGuid().ShouldBe(id);
        first.GetProperty("data").GetProperty("invoice_id").GetString().ShouldBe("in_1");

        await Eventually.HoldsAsync(async () =>
        {
            var read = await (await tenant.Client.GetAsync($"/api/v1/events/{id}")).ShouldBeJsonAsync(HttpStatusCode.OK);
            return read.GetProperty("status").GetString() == "dispatched";
        }, TimeSpan.FromSeconds(30), "the Workers host consumes the event from Kafka and marks it dispatched");

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = system.Broker.BootstrapServers,
            GroupId = "test-reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe("integrations.events.v1");
        ConsumeResult<string, string>? found = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (found is null && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result?.Message is { } m && m.Value.Contains(id.ToString())) found = result;
        }
        found.ShouldNotBeNull("the event is on integrations.events.v1");
        found.Message.Key.ShouldBe(tenant.TenantId.ToString());
        var envelope = JsonDocument.Parse(found.Message.Value).RootElement;
        envelope.GetProperty("id").GetGuid().ShouldBe(id);
        envelope.GetProperty("event_type").GetString().ShouldBe("invoice.paid");
        envelope.GetProperty("tenant_id").GetGuid().ShouldBe(tenant.TenantId);
        envelope.GetProperty("timestamp").GetDateTimeOffset().ShouldBe(timestamp);
        envelope.GetProperty("schema_version").GetInt32().ShouldBe(1);
        envelope.GetProperty("data").GetProperty("amount_cents").GetInt32().ShouldBe(1001);
        Encoding.UTF8.GetString(found.Message.Headers.GetLastBytes("event-type")).ShouldBe("invoice.paid");
        Encoding.UTF8.GetString(found.Message.Headers.GetLastBytes("correlation-id")).ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task The_list_is_newest_first_and_pages_forward_and_back_without_gaps()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 7; i++)
            ids.Add((await (await tenant.Client.PostAsJsonAsync("/api/v1/events", Invoice(i))).ShouldBeJsonAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid());
        ids.Reverse();

        var seen = new List<Guid>();
        string? cursor = null;
        JsonElement page;
        do
        {
            page = await (await tenant.Client.GetAsync("/api/v1/events?limit=3" + (cursor is null ? "" : "&cursor=" + cursor))).ShouldBeJsonAsync(HttpStatusCode.OK);
            seen.AddRange(page.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("next_cursor").GetString();
        } while (page.GetProperty("has_more").GetBoolean());

        seen.ShouldBe(ids);
        var back = await (await tenant.Client.GetAsync("/api/v1/events?limit=3&cursor=" + page.GetProperty("previous_cursor").GetString())).ShouldBeJsonAsync(HttpStatusCode.OK);
        back.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()).ShouldBe(ids.Skip(3).Take(3));

        await (await tenant.Client.GetAsync("/api/v1/events?limit=0")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await tenant.Client.GetAsync("/api/v1/events?limit=101")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        (await (await tenant.Client.GetAsync("/api/v1/events?cursor=bm9wZQ")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed"))
            .Fields().ShouldContain("cursor");
    }

    [Fact]
    public async Task A_repeated_idempotency_key_returns_the_first_result_and_a_different_body_is_409()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var key = "order-" + Guid.NewGuid();
        HttpRequestMessage Request(object body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }

        var first = await (await tenant.Client.SendAsync(Request(Invoice(1)))).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var again = await (await tenant.Client.SendAsync(Request(Invoice(1)))).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        again.GetProperty("id").GetGuid().ShouldBe(first.GetProperty("id").GetGuid());
        again.GetProperty("timestamp").GetDateTimeOffset().ShouldBe(first.GetProperty("timestamp").GetDateTimeOffset());

        await (await tenant.Client.SendAsync(Request(Invoice(2)))).ShouldBeErrorAsync(HttpStatusCode.Conflict, "idempotency_key_reused");
        (await system.ScalarAsync<long>("select count(*) from events where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(1);

        // Keys are per tenant: another tenant may use the same key for its own event.
        var other = await system.CreateTenantWithKeyAsync();
        var theirs = await (await other.Client.SendAsync(Request(Invoice(1)))).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        theirs.GetProperty("id").GetGuid().ShouldNotBe(first.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Concurrent_requests_with_one_idempotency_key_create_one_event()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = JsonContent.Create(Invoice(5)) };
            request.Headers.Add("Idempotency-Key", key);
            return tenant.Client.SendAsync(request);
        }));

        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Accepted);
        var ids = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid()));
        ids.Distinct().Count().ShouldBe(1);
        (await system.ScalarAsync<long>("select count(*) from events where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(1);
        (await system.ScalarAsync<long>("select count(*) from outbox where message_id = @id", ("id", ids[0]))).ShouldBe(1);
    }

    [Theory]
    [InlineData("""{"event_type":"invoice.refunded","data":{}}""", "event_type")]
    [InlineData("""{"event_type":"","data":{}}""", "event_type")]
    [InlineData("""{"data":{}}""", "event_type")]
    [InlineData("""{"event_type":"invoice.paid","data":[1,2]}""", "data")]
    [InlineData("""{"event_type":"invoice.paid","data":"x"}""", "data")]
    [InlineData("""{"event_type":"invoice.paid"}""", "data")]
    public async Task Invalid_events_are_422_naming_the_field_and_store_nothing(string body, string field)
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        var response = await tenant.Client.PostAsync("/api/v1/events", new StringContent(body, Encoding.UTF8, "application/json"));

        (await response.ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).Fields().ShouldContain(field);
        (await system.ScalarAsync<long>("select count(*) from events where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(0);
        (await system.ScalarAsync<long>("select count(*) from outbox o where o.message_key = @t", ("t", tenant.TenantId.ToString()))).ShouldBe(0);
    }

    [Fact]
    public async Task The_admin_key_must_name_the_tenant_and_the_tenant_must_exist()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        (await (await system.Admin.PostAsJsonAsync("/api/v1/events", Invoice(1))).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed"))
            .Fields().ShouldContain("tenant_id");
        await (await system.Admin.PostAsJsonAsync("/api/v1/events", new { event_type = "invoice.paid", data = new { invoice_id = "in_1", amount_cents = 1, currency = "EUR" }, tenant_id = Guid.NewGuid() }))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");

        var accepted = await (await system.Admin.PostAsJsonAsync("/api/v1/events", new { event_type = "user.joined", data = new { user_id = "u_1" }, tenant_id = tenant.TenantId }))
            .ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var listed = await (await tenant.Client.GetAsync("/api/v1/events")).ShouldBeJsonAsync(HttpStatusCode.OK);
        listed.GetProperty("data")[0].GetProperty("id").GetGuid().ShouldBe(accepted.GetProperty("id").GetGuid());
        (await system.ScalarAsync<string>("select headers->>'actor' from marten.mt_events where stream_id = @s", ("s", $"event-{accepted.GetProperty("id").GetGuid():N}")))
            .ShouldBe("admin");
    }

    [Fact]
    public async Task Event_types_are_listed_and_filterable()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        await tenant.Client.PostAsJsonAsync("/api/v1/events", new { event_type = "user.invited", data = new { user_id = "u_9" } });
        await tenant.Client.PostAsJsonAsync("/api/v1/events", Invoice(9));

        var types = await (await tenant.Client.GetAsync("/api/v1/event-types")).ShouldBeJsonAsync(HttpStatusCode.OK);
        types.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ShouldContain("invoice.paid");

        var filtered = await (await tenant.Client.GetAsync("/api/v1/events?event_type=user.invited")).ShouldBeJsonAsync(HttpStatusCode.OK);
        filtered.GetProperty("data").EnumerateArray().ShouldAllBe(e => e.GetProperty("event_type").GetString() == "user.invited");
        filtered.GetProperty("data").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task The_events_topic_carries_data_byte_for_byte_as_published()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        const string data = "{ \"zeta\":1,\n  \"user_id\" : \"u\\u00e9\", \"score\":1.50 }";
        var response = await tenant.Client.PostAsync("/api/v1/events", new StringContent("{\"event_type\":\"user.joined\",\"data\":" + data + "}", Encoding.UTF8, "application/json"));
        var id = (await response.ShouldBeJsonAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid();

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = system.Broker.BootstrapServers,
            GroupId = "test-reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe("integrations.events.v1");
        string? value = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (value is null && DateTime.UtcNow < deadline)
            if (consumer.Consume(TimeSpan.FromMilliseconds(500))?.Message is { } m && m.Value.Contains(id.ToString())) value = m.Value;

        value.ShouldNotBeNull("the event is on integrations.events.v1");
        value.ShouldContain("\"data\":" + data + ",");
    }
}
