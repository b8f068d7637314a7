using System.Net;
using System.Net.Http.Json;
using Integrations.IntegrationTests.Infrastructure;
using Shouldly;

namespace Integrations.IntegrationTests.Api;

/// <summary>
/// Single-event publishing commits concurrent requests together (EventGroupCommitter): fewer
/// transactions than requests, yet every request keeps its own origin, its own idempotency and its
/// own failure.
/// </summary>
public class EventGroupCommitTests(TestSystem system) : IClassFixture<TestSystem>
{
    private static object Invoice(string invoiceId, int amount = 1000) =>
        new { event_type = "invoice.paid", data = new { invoice_id = invoiceId, amount_cents = amount, currency = "EUR" } };

    private static HttpRequestMessage Publish(object body, string? requestId = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = JsonContent.Create(body) };
        if (requestId is not null) request.Headers.Add("X-Request-Id", requestId);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    [Fact]
    public async Task Concurrent_events_share_transactions_and_each_keeps_its_own_request_id()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        const int requests = 40;
        var run = Guid.NewGuid().ToString("N")[..8];

        var responses = await Task.WhenAll(Enumerable.Range(0, requests).Select(n =>
            tenant.Client.SendAsync(Publish(Invoice($"in_{n}"), requestId: $"group-{run}-{n}"))));
        responses.Select(r => r.StatusCode).ShouldAllBe(s => s == HttpStatusCode.Accepted);

        (await system.ScalarAsync<long>("select count(*) from events where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(requests);
        // Rows written by one transaction carry its id (xmin); an event's first stream entry is never updated.
        var transactions = await system.ScalarAsync<long>("""
            select count(distinct es.xmin::text) from events ev join marten.mt_events es on es.stream_id = 'event-' || replace(ev.id::text, '-', '')
            where ev.tenant_id = @t and es.version = 1
            """, ("t", tenant.TenantId));
        transactions.ShouldBeGreaterThan(0);
        transactions.ShouldBeLessThan(requests, "concurrent requests are committed together");

        // Each event is stored with the id of the request that published it, and its Kafka message carries it too.
        (await system.ScalarAsync<long>("""
            select count(*) from events ev
            join marten.mt_events es on es.stream_id = 'event-' || replace(ev.id::text, '-', '')
            join outbox o on o.message_id = ev.id
            where ev.tenant_id = @t
              and es.correlation_id = 'group-' || @run || '-' || substr(ev.data->>'invoice_id', 4)
              and o.headers->>'correlation-id' = es.correlation_id
            """, ("t", tenant.TenantId), ("run", run))).ShouldBe(requests);
    }

    [Fact]
    public async Task Concurrent_requests_with_one_idempotency_key_store_one_event_and_refuse_another_body()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var key = "group-key-" + Guid.NewGuid();

        // Six requests with one body and six with another, all with the same key, at once.
        var sent = await Task.WhenAll(Enumerable.Range(0, 12).Select(async n =>
            (Body: n % 2, Response: await tenant.Client.SendAsync(Publish(Invoice("in_same", 1000 + n % 2), idempotencyKey: key)))));

        (await system.ScalarAsync<long>("select count(*) from events where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(1, "one key, one event");
        var winner = sent.Where(s => s.Response.StatusCode == HttpStatusCode.Accepted).Select(s => s.Body).Distinct().ShouldHaveSingleItem();
        var ids = new HashSet<Guid>();
        foreach (var (body, response) in sent)
        {
            if (body == winner)
            {
                ids.Add((await response.ShouldBeJsonAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid());
            }
            else
            {
                await response.ShouldBeErrorAsync(HttpStatusCode.Conflict, "idempotency_key_reused");
            }
        }
        ids.ShouldHaveSingleItem().ShouldBe(await system.ScalarAsync<Guid>("select id from events where tenant_id = @t", ("t", tenant.TenantId)));
        sent.Count(s => s.Response.Headers.TryGetValues("Idempotent-Replayed", out var values) && values.Single() == "true").ShouldBe(5,
            "all but the first request of the winning body are replays");
        (await system.ScalarAsync<long>("select count(*) from idempotency_keys where scope = @s and key = @k", ("s", tenant.TenantId.ToString()), ("k", key))).ShouldBe(1);
    }

    [Fact]
    public async Task A_request_the_database_refuses_fails_alone_and_the_others_of_its_group_are_accepted()
    {
        var tenant = await system.CreateTenantWithKeyAsync();
        var trigger = "refuse_" + tenant.TenantId.ToString("N");
        // A fault only PostgreSQL knows about: validation passes, the insert of this one event fails.
        await system.ScalarAsync<int>($"""
            create function {trigger}() returns trigger language plpgsql as $$
            begin
                if new.tenant_id = '{tenant.TenantId}' and new.data->>'invoice_id' = 'in_refused' then raise exception 'refused by the test'; end if;
                return new;
            end $$;
            create trigger {trigger} before insert on events for each row execute function {trigger}();
            select 1
            """);
        try
        {
            var sent = await Task.WhenAll(Enumerable.Range(0, 30).Select(async n => (Refused: n == 15,
                Response: await tenant.Client.SendAsync(Publish(Invoice(n == 15 ? "in_refused" : $"in_{n}"), idempotencyKey: $"refuse-{tenant.TenantId}-{n}")))));

            foreach (var (refused, response) in sent)
            {
                if (refused) await response.ShouldBeErrorAsync(HttpStatusCode.InternalServerError, "internal_error");
                else (await response.ShouldBeJsonAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid().ShouldNotBe(Guid.Empty);
            }
            (await system.ScalarAsync<long>("select count(*) from events where tenant_id = @t", ("t", tenant.TenantId))).ShouldBe(29);
            (await system.ScalarAsync<long>("select count(*) from idempotency_keys where scope = @s", ("s", tenant.TenantId.ToString())))
                .ShouldBe(29, "the refused request left no idempotency record: a retry may still succeed");
        }
        finally
        {
            await system.ScalarAsync<int>($"drop trigger {trigger} on events; drop function {trigger}(); select 1");
        }
    }
}
