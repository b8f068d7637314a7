using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Domain.Entities;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Infrastructure;
using Integrations.IntegrationTests.Webhooks.Delivery;
using Shouldly;

namespace Integrations.IntegrationTests.ProductBridge;

/// <summary>The entities read model, fed by entity.* events posted through POST /api/v1/events, read through the API.</summary>
[Collection(ProductBridgeCollection.Name)]
public class EntityReadModelTests(ProductBridgeFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly DeliverySystem _system = fixture.System;

    [Fact]
    public async Task A_record_follows_its_created_updated_and_deleted_events()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var created = await PublishAsync(tenant.Client, "entity.created", new { entity_id = "ent_1", entity_type = "project", attributes = new { status = "active", priority = 2 } });
        var updated = await PublishAsync(tenant.Client, "entity.updated", new
        {
            entity_id = "ent_1", entity_type = "project", changed_fields = new[] { "status", "owner" },
            changes = new { status = new { from = "active", to = "archived" } },
        });

        var afterUpdate = await WaitForAsync(tenant.Client, "project", "ent_1", updated.Id);
        afterUpdate.GetProperty("attributes").GetProperty("status").GetString().ShouldBe("archived", "changes.status.to");
        afterUpdate.GetProperty("attributes").GetProperty("priority").GetInt32().ShouldBe(2, "untouched fields stay");
        afterUpdate.GetProperty("attributes").TryGetProperty("owner", out _).ShouldBeFalse();
        afterUpdate.GetProperty("unknown_fields").EnumerateArray().Select(f => f.GetString()).ShouldBe(["owner"], "changed, new value not given");
        afterUpdate.GetProperty("status").GetString().ShouldBe("active");
        afterUpdate.GetProperty("version").GetInt64().ShouldBe(2);
        afterUpdate.GetProperty("created_at").GetDateTimeOffset().ShouldBe(created.Timestamp);
        afterUpdate.GetProperty("updated_at").GetDateTimeOffset().ShouldBe(updated.Timestamp);
        afterUpdate.GetProperty("last_event_type").GetString().ShouldBe("entity.updated");
        var eventSequence = (await (await tenant.Client.GetAsync($"/api/v1/events/{updated.Id}")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("sequence").GetInt64();
        afterUpdate.GetProperty("sequence").GetInt64().ShouldBe(eventSequence, "the sequence of the last event applied");

        var owner = await PublishAsync(tenant.Client, "entity.updated", new
        {
            entity_id = "ent_1", entity_type = "project", changed_fields = new[] { "owner", "priority" },
            changes = new { owner = new { from = (string?)null, to = "usr_9" } },
        });
        var afterOwner = await WaitForAsync(tenant.Client, "project", "ent_1", owner.Id);
        afterOwner.GetProperty("unknown_fields").EnumerateArray().Select(f => f.GetString()).ShouldBe(["priority"], "owner is known now, priority no longer");
        afterOwner.GetProperty("attributes").TryGetProperty("priority", out _).ShouldBeFalse("a stale value is not passed off as current");
        var deleted = await PublishAsync(tenant.Client, "entity.deleted", new { entity_id = "ent_1", entity_type = "project", deleted_by = "usr_1" });

        var gone = await WaitForAsync(tenant.Client, "project", "ent_1", deleted.Id);
        gone.GetProperty("status").GetString().ShouldBe("deleted");
        gone.GetProperty("deleted_at").GetDateTimeOffset().ShouldBe(deleted.Timestamp);
        gone.GetProperty("attributes").GetProperty("owner").GetString().ShouldBe("usr_9", "the last known values stay for lookups");
        gone.GetProperty("version").GetInt64().ShouldBe(4);
        (await ListAsync(tenant.Client, "entity_type=project&status=active")).ShouldBeEmpty();
        (await ListAsync(tenant.Client, "entity_type=project&status=deleted")).Select(e => e.GetProperty("entity_id").GetString()).ShouldBe(["ent_1"]);
    }

    [Fact]
    public async Task A_record_is_visible_to_its_tenant_only()
    {
        var a = await _system.CreateTenantWithKeyAsync();
        var b = await _system.CreateTenantWithKeyAsync();
        var created = await PublishAsync(a.Client, "entity.created", new { entity_id = "shared-id", entity_type = "task", attributes = new { secret = "A's" } });
        await WaitForAsync(a.Client, "task", "shared-id", created.Id);

        await (await b.Client.GetAsync("/api/v1/entities/task/shared-id")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "entity_not_found");
        (await ListAsync(b.Client, "")).ShouldBeEmpty();
        await (await b.Client.GetAsync($"/api/v1/entities/task/shared-id?tenant_id={a.TenantId}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "tenant_not_found");
        (await _system.Admin.GetAsync($"/api/v1/entities/task/shared-id?tenant_id={a.TenantId}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var ofB = await PublishAsync(b.Client, "entity.created", new { entity_id = "shared-id", entity_type = "task", attributes = new { secret = "B's" } });
        (await WaitForAsync(b.Client, "task", "shared-id", ofB.Id)).GetProperty("attributes").GetProperty("secret").GetString().ShouldBe("B's");
        (await WaitForAsync(a.Client, "task", "shared-id", created.Id)).GetProperty("attributes").GetProperty("secret").GetString().ShouldBe("A's");
    }

    [Fact]
    public async Task Ids_with_slashes_types_with_spaces_and_events_without_a_type_are_found()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var slashed = await PublishAsync(tenant.Client, "entity.created", new { entity_id = "INV/2026/001", entity_type = "sales order", attributes = new { total = 10 } });
        var untyped = await PublishAsync(tenant.Client, "entity.created", new { entity_id = "e-1", attributes = new { n = 1 } });
        var percent = await PublishAsync(tenant.Client, "entity.created", new { entity_id = "50%2Foff", entity_type = "promo", attributes = new { } });

        (await WaitForAsync(tenant.Client, "sales order", "INV/2026/001", slashed.Id)).GetProperty("entity_id").GetString().ShouldBe("INV/2026/001");
        (await WaitForAsync(tenant.Client, "untyped", "e-1", untyped.Id)).GetProperty("entity_type").GetString().ShouldBe("untyped");
        (await WaitForAsync(tenant.Client, "promo", "50%2Foff", percent.Id)).GetProperty("entity_id").GetString().ShouldBe("50%2Foff", "an escaped escape stays one");
    }

    [Fact]
    public async Task The_list_follows_the_conventions_and_bad_parameters_are_refused()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        Accepted last = null!;
        for (var i = 0; i < 3; i++) last = await PublishAsync(tenant.Client, "entity.created", new { entity_id = $"t{i}", entity_type = "task", attributes = new { i } });
        var note = await PublishAsync(tenant.Client, "entity.created", new { entity_id = "n1", entity_type = "note", attributes = new { } });
        await WaitForAsync(tenant.Client, "task", "t2", last.Id);
        await WaitForAsync(tenant.Client, "note", "n1", note.Id);

        var page = await (await tenant.Client.GetAsync("/api/v1/entities?entity_type=task&limit=2")).ShouldBeJsonAsync(HttpStatusCode.OK);
        var rest = await (await tenant.Client.GetAsync($"/api/v1/entities?entity_type=task&limit=2&cursor={page.GetProperty("next_cursor").GetString()}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        page.GetProperty("data").EnumerateArray().Concat(rest.GetProperty("data").EnumerateArray()).Select(e => e.GetProperty("entity_id").GetString())
            .ShouldBe(["t2", "t1", "t0"], "most recently changed first");
        (await ListAsync(tenant.Client, $"updated_after={Uri.EscapeDataString(last.Timestamp.ToString("O"))}")).Select(e => e.GetProperty("entity_id").GetString())
            .ShouldBe(["n1"], "what changed since");
        (await ListAsync(tenant.Client, "")).Count.ShouldBe(4);

        await (await tenant.Client.GetAsync("/api/v1/entities?type=task")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
        await (await tenant.Client.GetAsync("/api/v1/entities?status=gone")).ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await tenant.Client.GetAsync("/api/v1/entities?updated_after=yesterday")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
        await (await tenant.Client.GetAsync($"/api/v1/entities?entity_type=note&cursor={page.GetProperty("next_cursor").GetString()}"))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
        await (await tenant.Client.GetAsync("/api/v1/entities/task/nope")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "entity_not_found");
        await (await tenant.Client.GetAsync($"/api/v1/entities/task/{new string('x', 5000)}")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "entity_not_found");
    }

    [Fact]
    public async Task The_table_is_what_applying_the_events_one_by_one_gives_and_a_rebuild_gives_it_again()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var random = new Random(20261207);
        var expected = new Dictionary<EntityKey, EntityState>();
        for (var batch = 0; batch < 4; batch++)
        {
            var events = Enumerable.Range(0, 25).Select(_ => RandomEvent(random)).ToList();
            var response = await (await tenant.Client.PostAsJsonAsync("/api/v1/events/batch", new { events = events.Select(e => new { event_type = e.Type, data = e.Data }) }))
                .ShouldBeJsonAsync(HttpStatusCode.Accepted);
            var accepted = response.GetProperty("data").EnumerateArray().Select(a => new Accepted(a.GetProperty("id").GetGuid(), a.GetProperty("timestamp").GetDateTimeOffset())).ToList();
            foreach (var (type, data, at) in events.Select((e, i) => (e.Type, e.Data, accepted[i])))
            {
                var change = EntityChange.FromEvent(tenant.TenantId, type, data.ToJsonString(), new StoredEventRef(at.Id, type, at.Timestamp, 0))!;
                expected[change.Key] = EntityState.Apply(expected.GetValueOrDefault(change.Key), change);
            }
            // Each batch lands on rows the earlier ones left (the update path), not only on rows of its own page (the insert path).
            var lastKey = expected.Values.Single(s => s.LastEvent.EventId == accepted[^1].Id).Key;
            await WaitForAsync(tenant.Client, lastKey.Type, lastKey.Id, accepted[^1].Id);
        }

        var before = await DumpAsync(tenant.TenantId);
        foreach (var state in expected.Values)
        {
            var read = await (await tenant.Client.GetAsync($"/api/v1/entities/{Uri.EscapeDataString(state.Key.Type)}/{Uri.EscapeDataString(state.Key.Id)}")).ShouldBeJsonAsync(HttpStatusCode.OK);
            JsonNode.DeepEquals(JsonNode.Parse(read.GetProperty("attributes").GetRawText()), state.Attributes).ShouldBeTrue($"{state.Key}: {read.GetProperty("attributes")} vs {state.Attributes.ToJsonString()}");
            read.GetProperty("unknown_fields").EnumerateArray().Select(f => f.GetString()).ShouldBe(state.UnknownFields, $"{state.Key}");
            read.GetProperty("status").GetString().ShouldBe(state.Status);
            read.GetProperty("version").GetInt64().ShouldBe(state.Version);
            read.GetProperty("last_event_id").GetGuid().ShouldBe(state.LastEvent.EventId);
            (read.TryGetProperty("created_at", out var c) && c.ValueKind != JsonValueKind.Null ? c.GetDateTimeOffset() : (DateTimeOffset?)null).ShouldBe(state.CreatedAt);
            (read.TryGetProperty("deleted_at", out var d) && d.ValueKind != JsonValueKind.Null ? d.GetDateTimeOffset() : (DateTimeOffset?)null).ShouldBe(state.DeletedAt);
        }

        (await _system.Admin.PostAsync("/api/v1/admin/projections/entities/rebuild", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await DumpAsync(tenant.TenantId)).ShouldBe(before, "rebuilt from the log, the table is the same");
    }

    private static (string Type, JsonObject Data) RandomEvent(Random random)
    {
        string[] fields = ["status", "owner", "priority", "title"];
        var id = $"r{random.Next(6)}";
        var data = new JsonObject { ["entity_id"] = id, ["entity_type"] = random.Next(4) == 0 ? "note" : "task" };
        switch (random.Next(10))
        {
            case 0 or 1:
                data["attributes"] = new JsonObject(fields.Where(_ => random.Next(2) == 0).Select(f => KeyValuePair.Create(f, (JsonNode?)JsonValue.Create(random.Next(100)))));
                return ("entity.created", data);
            case 2:
                return ("entity.deleted", data);
            default:
                var changed = fields.Where(_ => random.Next(3) == 0).DefaultIfEmpty("status").ToList();
                data["changed_fields"] = new JsonArray(changed.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray());
                // Most changes give their new value; some do not (unknown), some give null.
                data["changes"] = new JsonObject(changed.Where(_ => random.Next(4) != 0).Select(f => KeyValuePair.Create(f,
                    (JsonNode?)new JsonObject { ["to"] = random.Next(5) == 0 ? null : JsonValue.Create($"v{random.Next(100)}") })));
                return ("entity.updated", data);
        }
    }

    [Fact]
    public async Task Records_are_found_by_their_attributes_and_a_filter_that_is_no_small_JSON_object_is_refused()
    {
        var tenant = await _system.CreateTenantWithKeyAsync();
        var other = await _system.CreateTenantWithKeyAsync();
        await PublishAsync(tenant.Client, "entity.created", new { entity_id = "p1", entity_type = "project", attributes = new { name = "Relaunch", tier = "gold", owner = new { id = "u1", team = "web" }, tags = new[] { "a", "b" } } });
        await PublishAsync(tenant.Client, "entity.created", new { entity_id = "p2", entity_type = "project", attributes = new { name = "Relaunch", tier = "silver", tags = new[] { "b" } } });
        var last = await PublishAsync(tenant.Client, "entity.created", new { entity_id = "p3", entity_type = "project", attributes = new { name = "relaunch", tier = "gold" } });
        await PublishAsync(other.Client, "entity.created", new { entity_id = "p9", entity_type = "project", attributes = new { name = "Relaunch" } });
        await WaitForAsync(tenant.Client, "project", "p3", last.Id);

        async Task<string[]> Find(string json) =>
            [.. (await ListAsync(tenant.Client, $"entity_type=project&attributes={Uri.EscapeDataString(json)}")).Select(e => e.GetProperty("entity_id").GetString()!)];
        (await Find("""{"name":"Relaunch"}""")).ShouldBe(["p2", "p1"], "exact values, case included, the tenant's own records only");
        (await Find("""{"name":"Relaunch","tier":"gold"}""")).ShouldBe(["p1"], "every member");
        (await Find("""{"owner":{"team":"web"}}""")).ShouldBe(["p1"], "a nested object by its members");
        (await Find("""{"tags":["b"]}""")).ShouldBe(["p2", "p1"], "an array by holding the item");
        (await Find("""{"name":"Nothing"}""")).ShouldBeEmpty();

        var page = await (await tenant.Client.GetAsync($"/api/v1/entities?limit=1&attributes={Uri.EscapeDataString("""{"name":"Relaunch"}""")}")).ShouldBeJsonAsync(HttpStatusCode.OK);
        await (await tenant.Client.GetAsync($"/api/v1/entities?attributes={Uri.EscapeDataString("""{"name":"relaunch"}""")}&cursor={page.GetProperty("next_cursor").GetString()}"))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
        foreach (var bad in new[] { "name=Relaunch", "[1]", "{}", "\"x\"", "{\"a\":", "{" + string.Join(",", Enumerable.Range(0, 11).Select(i => $"\"k{i}\":1")) + "}" })
        {
            var error = await (await tenant.Client.GetAsync($"/api/v1/entities?attributes={Uri.EscapeDataString(bad)}")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "invalid_parameter");
            error.GetProperty("details")[0].GetProperty("code").GetString().ShouldBe("invalid_json", bad);
        }
    }

    private Task<string> DumpAsync(Guid tenantId) => _system.ScalarAsync<string>("""
        select coalesce(jsonb_agg(to_jsonb(e) order by e.id), '[]'::jsonb)::text from entities e where tenant_id = @t
        """, ("t", tenantId));

    private sealed record Accepted(Guid Id, DateTimeOffset Timestamp);

    private static async Task<Accepted> PublishAsync(HttpClient client, string eventType, object data)
    {
        var accepted = await (await client.PostAsJsonAsync("/api/v1/events", new { event_type = eventType, data })).ShouldBeJsonAsync(HttpStatusCode.Accepted);
        return new Accepted(accepted.GetProperty("id").GetGuid(), accepted.GetProperty("timestamp").GetDateTimeOffset());
    }

    /// <summary>The read model follows the log asynchronously: waits until the record shows <paramref name="lastEventId"/> applied.</summary>
    private static async Task<JsonElement> WaitForAsync(HttpClient client, string type, string id, Guid lastEventId)
    {
        JsonElement entity = default;
        await Eventually.HoldsAsync(async () =>
        {
            var response = await client.GetAsync($"/api/v1/entities/{Uri.EscapeDataString(type)}/{Uri.EscapeDataString(id)}");
            if (response.StatusCode != HttpStatusCode.OK) return false;
            entity = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            return entity.GetProperty("last_event_id").GetGuid() == lastEventId;
        }, Patience, $"{type}/{id} shows event {lastEventId}");
        return entity;
    }

    private static async Task<List<JsonElement>> ListAsync(HttpClient client, string query) =>
        [.. (await (await client.GetAsync($"/api/v1/entities?limit=100&{query}")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").EnumerateArray()];
}
