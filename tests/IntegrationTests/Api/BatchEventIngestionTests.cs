using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Api;

/// <summary>POST /api/v1/events/batch through real HTTP, PostgreSQL and the broker.</summary>
public class BatchEventIngestionTests(TestSystem system) : IClassFixture<TestSystem>
{
    private static object Invoice(int n) => new { event_type = "invoice.paid", data = new { invoice_id = $"in_{n}", amount_cents = 1000 + n, currency = "EUR" } };

    private static object Batch(int count, int from = 0) => new { events = Enumerable.Range(from, count).Select(Invoice).ToArray() };

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private Task<long> CountEventsAsync(Guid tenantId) =>
        system.ScalarAsync<long>("select count(*) from events where tenant_id = @t", ("t", tenantId));

    private Task<long> CountOutboxAsync(Guid tenantId) =>
        system.ScalarAsync<long>("select count(*) from outbox where message_key = @t", ("t", tenantId.ToString()));

    private Task<long> CountStreamsAsync(Guid tenantId) =>
        system.ScalarAsync<long>("select count(*) from marten.mt_events where tenant_id = @t::text and stream_id like 'event-%'", ("t", tenantId));

    private static List<Guid> Ids(JsonElement accepted) => accepted.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()).ToList();

    [Fact]
    public async Task A_batch_is_accepted_in_order_listed_and_published_on_the_tenants_partition_in_order()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var body = new { events = Enumerable.Range(0, 30).Select(i => i % 3 == 2 ? new { event_type = "user.joined", data = (object)new { user_id = $"u_{i}" } } : new { event_type = "invoice.paid", data = (object)new { invoice_id = $"in_{i}", amount_cents = i, currency = "EUR" } }).ToArray() };

        var accepted = await (await tenant.Client.PostAsJsonAsync("/api/v1/events/batch", body)).ShouldBeJsonAsync(HttpStatusCode.Accepted);

        var items = accepted.GetProperty("data").EnumerateArray().ToList();
        items.Count.ShouldBe(30);
        items.Select(e => e.GetProperty("event_type").GetString()).ShouldBe(Enumerable.Range(0, 30).Select(i => i % 3 == 2 ? "user.joined" : "invoice.paid"));
        items.ShouldAllBe(e => e.GetProperty("timestamp").ValueKind == JsonValueKind.String);
        var ids = Ids(accepted);
        ids.Distinct().Count().ShouldBe(30);

        // The list (oldest first) shows the batch in request order, with each event's own data.
        var listed = await (await tenant.Client.GetAsync("/api/v1/events?limit=100&sort=timestamp:asc")).ShouldBeJsonAsync(HttpStatusCode.OK);
        listed.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()).ShouldBe(ids);
        listed.GetProperty("data")[3].GetProperty("data").GetProperty("invoice_id").GetString().ShouldBe("in_3");
        listed.GetProperty("data")[5].GetProperty("data").GetProperty("user_id").GetString().ShouldBe("u_5");
        (await system.ScalarAsync<long>("select count(distinct sequence) from events where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(30);

        // On Kafka: keyed by the tenant, in request order, with increasing global sequences.
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = system.Broker.BootstrapServers,
            GroupId = "test-reader-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe("integrations.events.v1");
        var wanted = ids.ToHashSet();
        var found = new List<ConsumeResult<string, string>>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (found.Count < ids.Count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result?.Message is { } m && m.Key == tenant.TenantId.ToString()
                && wanted.Contains(JsonDocument.Parse(m.Value).RootElement.GetProperty("id").GetGuid()))
                found.Add(result);
        }
        found.Count.ShouldBe(ids.Count, "every event of the batch reaches integrations.events.v1");
        found.Select(r => JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("id").GetGuid()).ShouldBe(ids);
        found.Select(r => r.Partition.Value).Distinct().Count().ShouldBe(1);
        var offsets = found.Select(r => r.Offset.Value).ToList();
        offsets.ShouldBe(offsets.Order().ToList());
        var sequences = found.Select(r => long.Parse(Encoding.UTF8.GetString(r.Message.Headers.GetLastBytes("sequence")))).ToList();
        sequences.ShouldBe(sequences.Order().ToList());
        sequences.Distinct().Count().ShouldBe(ids.Count);
        var fifth = JsonDocument.Parse(found[5].Message.Value).RootElement;
        fifth.GetProperty("event_type").GetString().ShouldBe("user.joined");
        fifth.GetProperty("tenant_id").GetGuid().ShouldBe(tenant.TenantId);
        fifth.GetProperty("data").GetProperty("user_id").GetString().ShouldBe("u_5");

        await Eventually.HoldsAsync(async () =>
            await system.ScalarAsync<long>("select count(*) from events where tenant_id = @t and status = 'dispatched'", ("t", tenant.TenantId)) == 30,
            TimeSpan.FromSeconds(60), "the Workers host consumes every event of the batch and marks it dispatched");
    }

    [Fact]
    public async Task One_invalid_event_refuses_the_whole_batch_naming_its_index_and_nothing_is_written()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var body = """
            {"events": [
              {"event_type": "invoice.paid", "data": {"invoice_id": "in_0", "amount_cents": 1, "currency": "EUR"}},
              {"event_type": "invoice.paid", "data": {"invoice_id": "in_1", "amount_cents": 1, "currency": "EUR"}},
              {"event_type": "invoice.paid", "data": {"invoice_id": "in_2", "amount_cents": 1, "currency": "EUR"}},
              {"event_type": "invoice.paid", "data": {"invoice_id": "in_3", "amount_cents": "lots", "currency": "EUR"}},
              {"event_type": "invoice.nope", "data": {}},
              {"event_type": "invoice.paid", "data": [1]},
              null
            ]}
            """;

        var error = await (await tenant.Client.PostAsync("/api/v1/events/batch", Json(body))).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        var details = error.GetProperty("details").EnumerateArray().Select(d => (Field: d.GetProperty("field").GetString(), Code: d.GetProperty("code").GetString())).ToList();
        details.ShouldContain(("events[3].data.amount_cents", "schema_violation"));
        details.ShouldContain(("events[4].event_type", "unknown_event_type"));
        details.ShouldContain(("events[5].data", "invalid_type"));
        details.ShouldContain(("events[6]", "required"));
        details.ShouldAllBe(d => !d.Field!.StartsWith("events[0]") && !d.Field.StartsWith("events[1]") && !d.Field.StartsWith("events[2]"));

        (await CountEventsAsync(tenant.TenantId)).ShouldBe(0);
        (await CountStreamsAsync(tenant.TenantId)).ShouldBe(0);
        (await CountOutboxAsync(tenant.TenantId)).ShouldBe(0);
        var listed = await (await tenant.Client.GetAsync("/api/v1/events")).ShouldBeJsonAsync(HttpStatusCode.OK);
        listed.GetProperty("data").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Data_over_the_per_event_limit_names_the_event()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var big = new { event_type = "invoice.paid", data = new { invoice_id = "in_big", amount_cents = 1, currency = "EUR", note = new string('x', 257 * 1024) } };

        var error = await (await tenant.Client.PostAsJsonAsync("/api/v1/events/batch", new { events = new[] { Invoice(0), big } }))
            .ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        error.GetProperty("details").EnumerateArray().ShouldContain(d => d.GetProperty("field").GetString() == "events[1].data" && d.GetProperty("code").GetString() == "too_large");
        (await CountEventsAsync(tenant.TenantId)).ShouldBe(0);
    }

    [Fact]
    public async Task Platform_event_types_are_refused_in_a_batch()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var body = """
            {"events": [{"event_type": "user.joined", "data": {"user_id": "u_1"}},
              {"event_type": "webhook_endpoint.disabled", "data": {"endpoint_id": "0193a5f2-6c1e-7a44-9b1d-3f0e8c2a7d51", "url": "https://x.example.com", "reason": "gone", "message": "m", "disabled_at": "2026-11-22T12:00:00Z"}}]}
            """;

        var error = await (await tenant.Client.PostAsync("/api/v1/events/batch", Json(body))).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        error.GetProperty("details").EnumerateArray().ShouldContain(d => d.GetProperty("field").GetString() == "events[1].event_type" && d.GetProperty("code").GetString() == "reserved_event_type");
        (await CountEventsAsync(tenant.TenantId)).ShouldBe(0);
        (await CountOutboxAsync(tenant.TenantId)).ShouldBe(0);
    }

    [Fact]
    public async Task Batches_hold_1_to_100_events_and_the_body_at_most_1_MiB()
    {
        var tenant = await system.CreateTenantWithKeyAsync();

        (await (await tenant.Client.PostAsJsonAsync("/api/v1/events/batch", Batch(0))).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed"))
            .GetProperty("details").EnumerateArray().ShouldContain(d => d.GetProperty("field").GetString() == "events" && d.GetProperty("code").GetString() == "out_of_range");
        (await (await tenant.Client.PostAsJsonAsync("/api/v1/events/batch", Batch(101))).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed"))
            .GetProperty("details").EnumerateArray().ShouldContain(d => d.GetProperty("field").GetString() == "events" && d.GetProperty("code").GetString() == "out_of_range");
        (await (await tenant.Client.PostAsync("/api/v1/events/batch", Json("{}"))).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed"))
            .Fields().ShouldContain("events");
        await (await tenant.Client.PostAsync("/api/v1/events/batch", Json("""{"events": [{"event_type": "user.joined", "data": {"user_id": "u"}, "tenant_id": null}]}""")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        (await CountEventsAsync(tenant.TenantId)).ShouldBe(0);

        // 100 events are fine, and a body above the API-wide 512 KiB but within 1 MiB too.
        var hundred = await (await tenant.Client.PostAsJsonAsync("/api/v1/events/batch", Batch(100))).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        Ids(hundred).Count.ShouldBe(100);
        var padded = new { events = Enumerable.Range(0, 4).Select(i => new { event_type = "invoice.paid", data = new { invoice_id = $"in_p{i}", amount_cents = 1, currency = "EUR", note = new string('x', 200 * 1024) } }).ToArray() };
        Ids(await (await tenant.Client.PostAsJsonAsync("/api/v1/events/batch", padded)).ShouldBeJsonAsync(HttpStatusCode.Accepted)).Count.ShouldBe(4);
        (await CountEventsAsync(tenant.TenantId)).ShouldBe(104);

        // Over 1 MiB: 413 in the error format, nothing stored, even though every event would be valid.
        var oversized = new { events = Enumerable.Range(0, 5).Select(i => new { event_type = "invoice.paid", data = new { invoice_id = $"in_o{i}", amount_cents = 1, currency = "EUR", note = new string('x', 250 * 1024) } }).ToArray() };
        await (await tenant.Client.PostAsJsonAsync("/api/v1/events/batch", oversized)).ShouldBeErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        (await CountEventsAsync(tenant.TenantId)).ShouldBe(104);
        // The single endpoint keeps its 512 KiB limit.
        await (await tenant.Client.PostAsJsonAsync("/api/v1/events", new { event_type = "invoice.paid", data = new { note = new string('x', 600 * 1024) } }))
            .ShouldBeErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task A_batch_counts_once_against_the_rate_limit()
    {
        var tenant = await system.CreateTenantWithKeyAsync(plan: "starter");

        // The tenant's first request in any window: a batch of 100 events leaves all but one request of the quota.
        var response = await tenant.Client.PostAsJsonAsync("/api/v1/events/batch", Batch(100));
        await response.ShouldBeJsonAsync(HttpStatusCode.Accepted);

        var limit = int.Parse(response.Headers.GetValues("X-RateLimit-Limit").Single());
        limit.ShouldBe(100);
        int.Parse(response.Headers.GetValues("X-RateLimit-Remaining").Single()).ShouldBe(limit - 1);
        (await CountEventsAsync(tenant.TenantId)).ShouldBe(100);
    }

    [Fact]
    public async Task A_repeated_idempotency_key_replays_the_batch_and_a_different_body_is_409()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var key = "backfill-" + Guid.NewGuid();
        HttpRequestMessage Request(object body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events/batch") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }

        var first = await (await tenant.Client.SendAsync(Request(Batch(5)))).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var replay = await tenant.Client.SendAsync(Request(Batch(5)));
        var again = await replay.ShouldBeJsonAsync(HttpStatusCode.Accepted);
        replay.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
        Ids(again).ShouldBe(Ids(first));
        again.GetProperty("data")[0].GetProperty("timestamp").GetDateTimeOffset().ShouldBe(first.GetProperty("data")[0].GetProperty("timestamp").GetDateTimeOffset());

        await (await tenant.Client.SendAsync(Request(Batch(5, from: 1)))).ShouldBeErrorAsync(HttpStatusCode.Conflict, "idempotency_key_reused");
        (await CountEventsAsync(tenant.TenantId)).ShouldBe(5);
        (await CountOutboxAsync(tenant.TenantId)).ShouldBe(5);
    }

    [Fact]
    public async Task A_tenant_key_publishes_only_for_its_tenant_and_the_admin_must_name_one()
    {
        var a = await system.CreateTenantWithKeyAsync();
        var b = await system.CreateTenantWithKeyAsync();

        await (await a.Client.PostAsJsonAsync("/api/v1/events/batch", new { events = new[] { Invoice(1) }, tenant_id = b.TenantId }))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");
        (await CountEventsAsync(b.TenantId)).ShouldBe(0);
        (await CountEventsAsync(a.TenantId)).ShouldBe(0);

        (await (await system.Admin.PostAsJsonAsync("/api/v1/events/batch", Batch(2))).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed"))
            .Fields().ShouldContain("tenant_id");
        await (await system.Admin.PostAsJsonAsync("/api/v1/events/batch", new { events = new[] { Invoice(1) }, tenant_id = Guid.NewGuid() }))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");

        var accepted = await (await system.Admin.PostAsJsonAsync("/api/v1/events/batch", new { events = new[] { Invoice(1), Invoice(2) }, tenant_id = b.TenantId }))
            .ShouldBeJsonAsync(HttpStatusCode.Accepted);
        var ids = Ids(accepted);
        var listedByB = await (await b.Client.GetAsync("/api/v1/events?sort=timestamp:asc")).ShouldBeJsonAsync(HttpStatusCode.OK);
        listedByB.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()).ShouldBe(ids);
        var listedByA = await (await a.Client.GetAsync("/api/v1/events")).ShouldBeJsonAsync(HttpStatusCode.OK);
        listedByA.GetProperty("data").GetArrayLength().ShouldBe(0);
        await (await a.Client.GetAsync($"/api/v1/events/{ids[0]}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "event_not_found");
        (await system.ScalarAsync<string>("select headers->>'actor' from marten.mt_events where stream_id = @s", ("s", $"event-{ids[1]:N}"))).ShouldBe("admin");
    }
}
