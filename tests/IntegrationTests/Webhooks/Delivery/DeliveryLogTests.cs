using System.Net;
using System.Text.Json;
using Integrations.Application.Common.Interfaces;
using Integrations.Domain.Webhooks;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Integrations.IntegrationTests.Webhooks.Delivery;

/// <summary>
/// The delivery log's status lists and its one update per delivery (migration 0015): pending lists
/// read the queue, dead-letter lists the rows with a failed_at, and a success rewrites its log row
/// without an index entry (a HOT update).
/// </summary>
[Collection(DeliveryCollection.Name)]
public class DeliveryLogTests(DeliveryFixture fixture)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);
    private readonly DeliverySystem _system = fixture.System;
    private readonly WebhookSink _sink = fixture.Sink;

    [Fact]
    public async Task Each_status_list_holds_exactly_the_deliveries_in_that_state_for_the_tenant_the_endpoint_and_the_admin()
    {
        var healthy = await _system.CreateEndpointAsync(_sink);
        var tenant = healthy.Tenant;
        var failing = await _system.CreateEndpointAsync(_sink, tenant: tenant);
        _sink.Respond(failing.Path, 500);
        // One delivery a minute: the first is sent, the others wait for their slots (pending).
        var paced = await _system.CreateEndpointAsync(_sink, tenant: tenant, rateLimitPerMinute: 1);
        var other = await _system.CreateEndpointAsync(_sink, rateLimitPerMinute: 1);

        var events = new List<Guid>();
        for (var i = 0; i < 4; i++) events.Add(await tenant.Client.PublishAsync(i == 3 ? "user.joined" : "invoice.paid", i == 3 ? new { user_id = "usr_1" } : null));
        var otherEvents = new[] { await other.Tenant.Client.PublishAsync(), await other.Tenant.Client.PublishAsync() };
        Guid[] Of(CreatedEndpoint endpoint, IEnumerable<Guid> published) => published.Select(e => WebhookDeliveryDecider.DeliveryId(e, endpoint.Id)).ToArray();
        // Failing: three retries after 1, 2 and 3 s, then dead-lettered.
        foreach (var id in Of(failing, events)) await tenant.Client.WaitForDeliveryAsync(id, d => d.Status() == "failed", Soon, "the failing endpoint's delivery is dead-lettered");
        foreach (var id in Of(healthy, events)) await tenant.Client.WaitForDeliveryAsync(id, d => d.Status() == "succeeded", Soon, "the healthy endpoint's delivery succeeds");
        var sent = Guid.Parse((await _sink.WaitForAsync(paced.Path, 1, Soon)).Single().WebhookId);
        await tenant.Client.WaitForDeliveryAsync(sent, d => d.Status() == "succeeded", Soon, "the paced endpoint's first delivery succeeds");
        var waiting = Of(paced, events).Where(id => id != sent).ToArray();
        foreach (var id in waiting) (await tenant.Client.GetDeliveryAsync(id)).Status().ShouldBe("pending");
        var newestFirst = waiting.Reverse().ToArray();

        (await IdsAsync(tenant.Client, "/api/v1/webhook-deliveries?status=pending")).ShouldBe(newestFirst);
        (await IdsAsync(tenant.Client, "/api/v1/webhook-deliveries?status=failed")).ShouldBe(Of(failing, events).Reverse());
        (await IdsAsync(tenant.Client, "/api/v1/webhook-deliveries?status=succeeded")).ShouldBe(Of(healthy, events).Append(sent), ignoreOrder: true);
        (await IdsAsync(tenant.Client, $"/api/v1/webhook-endpoints/{paced.Id}/deliveries?status=pending")).ShouldBe(newestFirst);
        (await IdsAsync(tenant.Client, $"/api/v1/webhook-endpoints/{healthy.Id}/deliveries?status=pending")).ShouldBeEmpty();
        (await IdsAsync(tenant.Client, $"/api/v1/webhook-endpoints/{failing.Id}/deliveries?status=failed")).ShouldBe(Of(failing, events).Reverse());
        (await IdsAsync(tenant.Client, "/api/v1/webhook-deliveries?status=pending&event_type=user.joined")).ShouldBe([Of(paced, events)[3]]);
        // Oldest first, and page by page with a cursor both ways.
        (await IdsAsync(tenant.Client, "/api/v1/webhook-deliveries?status=pending&sort=created_at:asc")).ShouldBe(waiting);
        var first = await PageAsync(tenant.Client, "/api/v1/webhook-deliveries?status=pending&limit=2");
        var second = await PageAsync(tenant.Client, $"/api/v1/webhook-deliveries?status=pending&limit=2&cursor={first.GetProperty("next_cursor").GetString()}");
        Ids(first).Concat(Ids(second)).ShouldBe(newestFirst);
        second.GetProperty("has_more").GetBoolean().ShouldBeFalse();
        Ids(await PageAsync(tenant.Client, $"/api/v1/webhook-deliveries?status=pending&limit=2&cursor={second.GetProperty("previous_cursor").GetString()}"))
            .ShouldBe(Ids(first));
        // An item of a pending page is the log's row: the same fields as the delivery itself.
        var listed = (await PageAsync(tenant.Client, $"/api/v1/webhook-endpoints/{paced.Id}/deliveries?status=pending&limit=1")).GetProperty("data")[0];
        var detail = await tenant.Client.GetDeliveryAsync(listed.GetProperty("id").GetGuid());
        foreach (var field in listed.EnumerateObject()) detail.GetProperty(field.Name).GetRawText().ShouldBe(field.Value.GetRawText(), field.Name);

        // The admin sees every tenant's pending deliveries, or one tenant's; the other tenant sees only its own.
        await _sink.WaitForAsync(other.Path, 1, Soon);
        var otherWaiting = Of(other, otherEvents).Single(id => _sink.Received(other.Path).All(r => r.WebhookId != id.ToString()));
        await other.Tenant.Client.WaitForDeliveryAsync(otherWaiting, d => d.Status() == "pending", Soon, "the other tenant's second delivery waits");
        var everyone = await IdsAsync(_system.Admin, "/api/v1/webhook-deliveries?status=pending&limit=100");
        everyone.ShouldContain(otherWaiting);
        foreach (var id in waiting) everyone.ShouldContain(id);
        (await IdsAsync(other.Tenant.Client, "/api/v1/webhook-deliveries?status=pending")).ShouldBe([otherWaiting]);
        (await IdsAsync(_system.Admin, $"/api/v1/webhook-deliveries?status=pending&tenant_id={tenant.TenantId}")).ShouldBe(newestFirst);
    }

    [Fact]
    public async Task A_success_rewrites_its_log_row_and_a_claim_its_queue_row_on_the_same_page_without_index_entries()
    {
        // No index of the log reads a column that a success changes, none of the queue's the lease
        // (or each would get a new entry).
        (await IndexedColumnsAsync("webhook_deliveries")).ShouldBe(["created_at", "endpoint_id", "failed_at", "id", "tenant_id"]);
        (await IndexedColumnsAsync("webhook_delivery_queue")).ShouldBe(["created_at", "delivery_id", "endpoint_id", "next_attempt_at", "paused"]);

        const int deliveries = 20;
        var before = await HotUpdatesAsync("webhook_deliveries");
        var leasesBefore = await HotUpdatesAsync("webhook_delivery_queue");
        var endpoint = await _system.CreateEndpointAsync(_sink);
        var events = new List<Guid>();
        for (var i = 0; i < deliveries; i++) events.Add(await endpoint.Tenant.Client.PublishAsync());
        foreach (var e in events)
            await endpoint.Tenant.Client.WaitForDeliveryAsync(WebhookDeliveryDecider.DeliveryId(e, endpoint.Id), d => d.Status() == "succeeded", Soon, "delivered");

        // Backends report their statistics when idle, within seconds.
        await Eventually.HoldsAsync(async () => await HotUpdatesAsync("webhook_deliveries") - before >= deliveries, Soon,
            $"the {deliveries} successes are HOT updates of webhook_deliveries");
        await Eventually.HoldsAsync(async () => await HotUpdatesAsync("webhook_delivery_queue") - leasesBefore >= deliveries, Soon,
            $"the {deliveries} leases are HOT updates of webhook_delivery_queue");
    }

    private Task<string[]> IndexedColumnsAsync(string table) => _system.ScalarAsync<string[]>("""
        select coalesce(array_agg(distinct a.attname::text order by a.attname::text), '{}')
        from pg_index i join pg_attribute a on a.attrelid = i.indrelid
        where i.indrelid = @table::regclass
          and (a.attnum = any(i.indkey) or pg_get_expr(i.indpred, i.indrelid) ~ ('\m' || a.attname || '\M'))
        """, ("table", table));

    [Fact]
    public async Task A_success_is_one_event_and_a_stream_written_before_with_a_separate_success_event_still_projects()
    {
        var endpoint = await _system.CreateEndpointAsync(_sink);
        var live = WebhookDeliveryDecider.DeliveryId(await endpoint.Tenant.Client.PublishAsync(), endpoint.Id);
        await endpoint.Tenant.Client.WaitForDeliveryAsync(live, d => d.Status() == "succeeded", Soon, "delivered");
        (await _system.ScalarAsync<string[]>("select array_agg(type order by version) from marten.mt_events where stream_id = @s",
            ("s", WebhookDeliveryDecider.StreamId(live)))).ShouldBe(["WebhookDeliveryCreated", "WebhookAttemptMade"]);

        // A stream as the platform wrote it before: the successful attempt, then WebhookDeliverySucceeded. Its endpoint is
        // disabled first, so that the dispatcher leaves the created delivery alone until the old events are appended.
        await endpoint.Tenant.Client.PostActionAsync(endpoint.Id, "disable");
        var old = Guid.CreateVersion7();
        var stream = WebhookDeliveryDecider.StreamId(old);
        var tenantId = endpoint.Tenant.TenantId;
        var at = DateTimeOffset.UtcNow;
        await AppendAsync(stream, 0, tenantId, new WebhookDeliveryCreated(old, tenantId, endpoint.Id, Guid.CreateVersion7(), "invoice.paid", true, at));
        (await endpoint.Tenant.Client.GetDeliveryAsync(old)).Status().ShouldBe("pending");
        await AppendAsync(stream, 1, tenantId,
            new WebhookAttemptMade(old, tenantId, endpoint.Id, 1, at, 12, 200, "ok", null, true),
            new WebhookDeliverySucceeded(old, tenantId, endpoint.Id, at));

        var delivery = await endpoint.Tenant.Client.GetDeliveryAsync(old);
        delivery.Status().ShouldBe("succeeded");
        delivery.GetProperty("attempt_count").GetInt32().ShouldBe(1);
        delivery.Attempts().ShouldHaveSingleItem().GetProperty("status_code").GetInt32().ShouldBe(200);
        (await _system.ScalarAsync<long>("select count(*) from webhook_delivery_queue where delivery_id = @d", ("d", old))).ShouldBe(0);
    }

    private async Task AppendAsync(string stream, long expectedVersion, Guid tenantId, params object[] events)
    {
        await using var scope = _system.Api.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IEventStore>().AppendAsync([new StreamAppend(stream, expectedVersion, events, tenantId)], CancellationToken.None);
    }

    private Task<long> HotUpdatesAsync(string table) =>
        _system.ScalarAsync<long>("select n_tup_hot_upd from pg_stat_user_tables where relname = @table", ("table", table));

    private static async Task<JsonElement> PageAsync(HttpClient client, string path) =>
        await (await client.GetAsync(path)).ShouldBeJsonAsync(HttpStatusCode.OK);

    private static List<Guid> Ids(JsonElement page) => page.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("id").GetGuid()).ToList();

    private static async Task<List<Guid>> IdsAsync(HttpClient client, string path) => Ids(await PageAsync(client, path));
}
