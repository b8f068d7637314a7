using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connectors;
using Integrations.IntegrationTests.Infrastructure;
using DeliveryApi = Integrations.IntegrationTests.Webhooks.Delivery.DeliveryApi;
using Shouldly;

namespace Integrations.IntegrationTests.HubSpot;

/// <summary>
/// HubSpot → product through real processes: the HubSpot fake sends the app's signed webhook batches to our
/// <c>/inbound/hubspot</c> when a record changes; changes of linked records whose properties the connection's
/// <c>hubspot.upsert</c> route maps become product commands, and neither our own writes nor the product's answers
/// come back around.
/// </summary>
[Collection(HubSpotCollection.Name)]
public sealed class HubSpotWayBackTests(HubSpotSystem system) : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => system.ResetHubSpotAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_contact_edited_at_hubspot_becomes_product_commands_and_the_products_answer_is_not_echoed_back()
    {
        var (tenant, connection, contact) = await LinkedContactAsync("ct_ada");

        await system.EditAsync(contact, new { lastname = "King", jobtitle = "Countess", lifecyclestage = "customer" });

        var commands = await CommandsAsync(tenant, c => c.Count == 2, "lastname and jobtitle are mapped; lifecyclestage is not");
        foreach (var command in commands)
        {
            command.GetProperty("command").GetString().ShouldBe("entity.update");
            command.GetProperty("target").GetProperty("type").GetString().ShouldBe("contact");
            command.GetProperty("target").GetProperty("id").GetString().ShouldBe("ct_ada");
            command.GetProperty("origin").GetProperty("provider").GetString().ShouldBe("hubspot");
            command.GetProperty("data").GetProperty("source").GetString().ShouldBe("hubspot");
            command.GetProperty("data").GetProperty("hubspot").GetProperty("change_source").GetString().ShouldBe("CRM_UI");
        }
        commands.Select(c => c.GetProperty("data").GetProperty("attributes").GetRawText()).ShouldBe(
            ["""{"last_name":"King"}""", """{"job_title":"Countess"}"""], ignoreOrder: true);

        // The product carries both out and answers naming the commands; then makes a change of its own.
        foreach (var command in commands)
            await DeliveryApi.PublishAsync(tenant.Client, "entity.updated", new
            {
                entity_id = "ct_ada", entity_type = "contact", attributes = command.GetProperty("data").GetProperty("attributes"),
                changed_fields = command.GetProperty("data").GetProperty("attributes").EnumerateObject().Select(p => p.Name).ToArray(),
                command_id = command.GetProperty("id").GetGuid(),
            });
        var own = await DeliveryApi.PublishAsync(tenant.Client, "entity.updated", new
        {
            entity_id = "ct_ada", entity_type = "contact", changed_fields = new[] { "phone" }, attributes = new { phone = "+31 20 555 0101" },
        });

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 2 && c.All(x => x.Status() == "succeeded"), Soon,
            "the creation and the product's own change were upserted");
        calls.Select(c => c.EventId()).ShouldContain(own);
        calls.Count(c => c.GetProperty("event_type").GetString() == "entity.updated").ShouldBe(1, "the answers to HubSpot's commands are not written back");
        var properties = (await system.RecordsAsync("contacts")).ShouldHaveSingleItem().GetProperty("properties");
        properties.GetProperty("lastname").GetString().ShouldBe("King");
        properties.GetProperty("phone").GetString().ShouldBe("+31 20 555 0101");
        await DeliveredAsync(3, "the creation, the edit and our phone upsert were each sent to us");
        (await HubSpotSystem.CommandsAsync(tenant)).Count.ShouldBe(2, "our own upserts (INTEGRATION from our app) never come back");
    }

    [Fact]
    public async Task A_redelivered_batch_issues_nothing_twice_and_bad_signatures_stale_timestamps_other_uris_and_tampered_bodies_are_refused()
    {
        var (tenant, _, contact) = await LinkedContactAsync("ct_sig");
        var body = Batch(contact, "firstname", "Augusta", eventId: 90001);
        var now = DateTimeOffset.UtcNow;

        (await PostAsync(body, Sign("POST", system.WebhookUrl.ToString(), body, now) + "x", now)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "a bad signature");
        var stale = now.AddMinutes(-6);
        (await PostAsync(body, Sign("POST", system.WebhookUrl.ToString(), body, stale), stale)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "older than 5 minutes");
        (await PostAsync(body, Sign("POST", new Uri(system.BaseAddress, "/inbound/hubspot?other=1").ToString(), body, now), now))
            .StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "signed for another URI");
        (await PostAsync(body.Replace("Augusta", "Mallory"), Sign("POST", system.WebhookUrl.ToString(), body, now), now))
            .StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "a tampered body");
        var refused = await PostAsync(body, null, now);
        (await refused.ShouldBeErrorAsync(HttpStatusCode.Unauthorized, "missing_signature")).GetRawText().ShouldNotContain(HubSpotSystem.HubSpotClientSecret);
        (await HubSpotSystem.CommandsAsync(tenant)).ShouldBeEmpty("nothing refused was issued");

        var accepted = await (await PostAsync(body, Sign("POST", system.WebhookUrl.ToString(), body, now), now)).ShouldBeJsonAsync(HttpStatusCode.OK);
        accepted.GetProperty("command_ids").GetArrayLength().ShouldBe(1);
        var again = await (await PostAsync(body, Sign("POST", system.WebhookUrl.ToString(), body, now), now)).ShouldBeJsonAsync(HttpStatusCode.OK);
        again.GetProperty("command_ids").GetArrayLength().ShouldBe(0, "HubSpot's retry of the same event");
        (await HubSpotSystem.CommandsAsync(tenant)).ShouldHaveSingleItem().GetProperty("data").GetProperty("attributes").GetRawText().ShouldBe("""{"first_name":"Augusta"}""");

        var notABatch = """{"objectId":1}""";
        await (await PostAsync(notABatch, Sign("POST", system.WebhookUrl.ToString(), notABatch, now), now)).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "malformed_body");
    }

    [Fact]
    public async Task A_portal_only_reaches_the_tenant_that_connected_it_and_a_portal_nobody_connected_is_answered_200()
    {
        var (tenant, _, contact) = await LinkedContactAsync("ct_mine");
        var other = await system.TenantAsync();
        var otherConnection = await system.ConnectAsync(other.Client, HubSpotSystem.OtherPortal);
        await HubSpotSystem.ContactRouteAsync(other.Client, otherConnection);
        // The other tenant links a record of the same id of its own, in its own portal.
        await DeliveryApi.PublishAsync(other.Client, "entity.created", new { entity_id = "ct_mine", entity_type = "contact", attributes = new { email = "other@example.com" } });
        await ConnectorsSystem.WaitForCallsAsync(other.Client, otherConnection, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the other tenant's contact was upserted");

        var stranger = await system.CreateInHubSpotAsync("contacts", new { email = "nobody@example.com" }, portal: "99999999");
        await system.EditAsync(stranger, new { firstname = "Nobody" });
        await system.EditAsync(contact, new { firstname = "Mine" });

        await CommandsAsync(tenant, c => c.Count == 1, "the edit in the tenant's portal");
        await DeliveredAsync(5, "both upserts' echoes, the stranger's creation and edit, and ours");
        (await system.DeliveriesAsync()).ShouldAllBe(d => d.GetProperty("status").GetInt32() == 200, "events of a portal nobody connected are acknowledged, not retried");
        (await HubSpotSystem.CommandsAsync(other)).ShouldBeEmpty("a change in the first tenant's portal never reaches the other tenant");
    }

    [Fact]
    public async Task Imports_unmapped_properties_and_unlinked_records_make_nothing_unless_the_route_asks_for_creates_and_deletes()
    {
        var (tenant, connection, contact) = await LinkedContactAsync("ct_rules");
        await system.EditAsync(contact, new { firstname = "Imported" }, changeSource: "IMPORT");
        await system.CreateInHubSpotAsync("contacts", new { email = "new@example.com", firstname = "Newt" });
        await system.DeleteInHubSpotAsync(contact);
        await DeliveredAsync(4, "the upsert's echo, the import, the creation and the deletion");
        (await HubSpotSystem.CommandsAsync(tenant)).ShouldBeEmpty("imports are ignored by default; create_back and delete_back are off by default");

        var route = (await (await tenant.Client.GetAsync($"/api/v1/connections/{connection}/routes")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().Single().GetProperty("id").GetGuid();
        await (await tenant.Client.PatchAsJsonAsync($"/api/v1/connections/{connection}/routes/{route}", new
        {
            settings = new { @object = "contacts", id_property = "product_contact_id", create_back = true, delete_back = true, ignore_sources = Array.Empty<string>() },
        })).ShouldBeJsonAsync(HttpStatusCode.OK);
        var (_, _, second) = await LinkedContactAsync("ct_rules_2", tenant, connection);
        var made = await system.CreateInHubSpotAsync("contacts", new { email = "grace@example.com", firstname = "Grace", lifecyclestage = "lead" });
        await system.DeleteInHubSpotAsync(second);
        await system.EditAsync(made, new { lastname = "Hopper" }, changeSource: "IMPORT");

        var commands = await CommandsAsync(tenant, c => c.Count == 2, "the creation and the deletion");
        var create = commands.Single(c => c.GetProperty("command").GetString() == "entity.create");
        create.GetProperty("target").GetProperty("type").GetString().ShouldBe("contact");
        create.GetProperty("data").GetProperty("attributes").GetRawText().ShouldBe("""{"email":"grace@example.com","first_name":"Grace"}""",
            "the properties set with the record, as far as the route maps them");
        create.GetProperty("origin").GetProperty("external_reference").GetString().ShouldBe(made);
        var delete = commands.Single(c => c.GetProperty("command").GetString() == "entity.delete");
        delete.GetProperty("target").GetProperty("id").GetString().ShouldBe("ct_rules_2");
        await DeliveredAsync(8, "every change so far");
        (await HubSpotSystem.CommandsAsync(tenant)).Count.ShouldBe(2, "the import of an unlinked record's lastname makes nothing: it is not linked");
    }

    [Fact]
    public async Task A_contact_made_in_hubspot_is_created_in_the_product_and_linked_by_its_answer_and_later_updates_go_to_it()
    {
        var tenant = await system.TenantAsync();
        var connection = await system.ConnectAsync(tenant.Client);
        await HubSpotSystem.ContactRouteAsync(tenant.Client, connection, new { @object = "contacts", id_property = "product_contact_id", create_back = true });
        var made = await system.CreateInHubSpotAsync("contacts", new { email = "grace@example.com", firstname = "Grace" });
        var create = (await CommandsAsync(tenant, c => c.Count == 1, "the contact made in HubSpot")).ShouldHaveSingleItem();
        create.GetProperty("command").GetString().ShouldBe("entity.create");

        // The product makes the contact and answers naming the command.
        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", new
        {
            entity_id = "ct_grace", entity_type = "contact", attributes = new { email = "grace@example.com", first_name = "Grace" }, command_id = create.GetProperty("id").GetGuid(),
        });
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "our id was written to the record");
        await DeliveryApi.PublishAsync(tenant.Client, "entity.updated", new
        {
            entity_id = "ct_grace", entity_type = "contact", changed_fields = new[] { "last_name" }, attributes = new { last_name = "Hopper" },
        });
        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 2 && c.All(x => x.Status() == "succeeded"), Soon, "the update went to the record");

        var record = (await system.RecordsAsync("contacts")).ShouldHaveSingleItem("linked: no second contact was made by the upsert");
        record.GetProperty("id").GetString().ShouldBe(made);
        record.GetProperty("properties").GetProperty("product_contact_id").GetString().ShouldBe("ct_grace");
        record.GetProperty("properties").GetProperty("lastname").GetString().ShouldBe("Hopper");
        var link = (await (await tenant.Client.GetAsync($"/api/v1/connections/{connection}/links")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().ShouldHaveSingleItem();
        link.GetProperty("entity_id").GetString().ShouldBe("ct_grace");
        link.GetProperty("external_id").GetString().ShouldBe(made);
        foreach (var call in calls)
            (await ConnectorsSystem.CallAsync(tenant.Client, connection, call.Id())).Attempts().Last().GetProperty("request").GetProperty("method").GetString().ShouldBe("PATCH");
        await DeliveredAsync(3, "the creation and both updates' echoes");
        (await HubSpotSystem.CommandsAsync(tenant)).Count.ShouldBe(1, "our writes do not come back");
    }

    [Fact]
    public async Task With_our_apps_changes_not_ignored_the_upserts_remembered_writes_still_drop_their_echoes()
    {
        var (tenant, connection, contact) = await LinkedContactAsync("ct_echo");
        var route = (await (await tenant.Client.GetAsync($"/api/v1/connections/{connection}/routes")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().Single().GetProperty("id").GetGuid();
        await (await tenant.Client.PatchAsJsonAsync($"/api/v1/connections/{connection}/routes/{route}", new
        {
            settings = new { @object = "contacts", id_property = "product_contact_id", ignore_own_changes = false },
        })).ShouldBeJsonAsync(HttpStatusCode.OK);

        await DeliveryApi.PublishAsync(tenant.Client, "entity.updated", new
        {
            entity_id = "ct_echo", entity_type = "contact", changed_fields = new[] { "job_title" }, attributes = new { job_title = "Engineer" },
        });
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == 2 && c.All(x => x.Status() == "succeeded"), Soon, "the update was upserted");
        await DeliveredAsync(2, "the creation's echo and the update's");
        var echo = (await system.DeliveriesAsync()).Last().GetProperty("events").EnumerateArray().ShouldHaveSingleItem();
        echo.GetProperty("changeSource").GetString().ShouldBe("INTEGRATION");
        echo.GetProperty("sourceId").GetString().ShouldBe(HubSpotSystem.AppId);
        echo.GetProperty("propertyValue").GetString().ShouldBe("Engineer");

        await system.EditAsync(contact, new { jobtitle = "Admiral" });
        var command = (await CommandsAsync(tenant, c => c.Count >= 1, "the edit in HubSpot after ours")).ShouldHaveSingleItem("our own write to Engineer was dropped as its echo");
        command.GetProperty("data").GetProperty("attributes").GetRawText().ShouldBe("""{"job_title":"Admiral"}""");
    }

    [Fact]
    public async Task Way_back_settings_are_checked()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectAsync(tenant.Client);

        var response = await tenant.Client.PostAsJsonAsync($"/api/v1/connections/{id}/routes", new
        {
            event_types = new[] { "entity.created" }, action = "hubspot.upsert", filter = Array.Empty<object>(),
            settings = new { @object = "contacts", id_property = "product_contact_id", create_back = "yes", ignore_sources = new[] { "import" } },
        });

        var error = await response.ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        error.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()).ShouldBe(["settings.create_back", "settings.ignore_sources"], ignoreOrder: true);
    }

    /// <summary>A tenant's connection with a contact route, and a contact of ours upserted and linked; returns HubSpot's id of it.</summary>
    private async Task<(TenantWithKey Tenant, Guid Connection, string Contact)> LinkedContactAsync(string entityId, TenantWithKey? existing = null, Guid? connectionId = null)
    {
        var tenant = existing ?? await system.TenantAsync();
        var connection = connectionId ?? await system.ConnectAsync(tenant.Client);
        if (connectionId is null) await HubSpotSystem.ContactRouteAsync(tenant.Client, connection);
        var before = (await ConnectorsSystem.CallsAsync(tenant.Client, connection)).Count;
        var delivered = (await system.DeliveriesAsync()).Count;
        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", new
        {
            entity_id = entityId, entity_type = "contact", attributes = new { email = $"{entityId}@example.com", first_name = "Ada", last_name = "Lovelace" },
        });
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, connection, c => c.Count == before + 1 && c.All(x => x.Status() == "succeeded"), Soon, "the contact was upserted");
        var contact = (await system.RecordsAsync("contacts")).Single(r =>
            r.GetProperty("properties").TryGetProperty("product_contact_id", out var id) && id.GetString() == entityId);
        await DeliveredAsync(delivered + 1, "the upsert's echo was answered");
        return (tenant, connection, contact.GetProperty("id").GetString()!);
    }

    /// <summary>Waits until the fake has had at least <paramref name="count"/> deliveries answered.</summary>
    private async Task DeliveredAsync(int count, string because) =>
        await Eventually.HoldsAsync(async () => (await system.DeliveriesAsync()).Count(d => d.GetProperty("status").ValueKind == JsonValueKind.Number) >= count, Soon, because);

    private static async Task<List<JsonElement>> CommandsAsync(TenantWithKey tenant, Func<List<JsonElement>, bool> done, string because)
    {
        List<JsonElement> commands = [];
        await Eventually.HoldsAsync(async () => done(commands = await HubSpotSystem.CommandsAsync(tenant)), Soon, because);
        return commands;
    }

    private static string Batch(string objectId, string property, string value, long eventId) => JsonSerializer.Serialize(new[]
    {
        new
        {
            eventId, subscriptionId = 4100, portalId = long.Parse(HubSpotSystem.Portal), appId = long.Parse(HubSpotSystem.AppId),
            occurredAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), subscriptionType = "contact.propertyChange", attemptNumber = 0,
            objectId = long.Parse(objectId), changeSource = "CRM_UI", sourceId = "userId:9001", propertyName = property, propertyValue = value,
        },
    });

    private static string Sign(string method, string uri, string body, DateTimeOffset at) => Convert.ToBase64String(HMACSHA256.HashData(
        Encoding.UTF8.GetBytes(HubSpotSystem.HubSpotClientSecret), Encoding.UTF8.GetBytes(method + uri + body + at.ToUnixTimeMilliseconds())));

    private async Task<HttpResponseMessage> PostAsync(string body, string? signature, DateTimeOffset at)
    {
        using var anonymous = new HttpClient { BaseAddress = system.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/inbound/hubspot") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null) request.Headers.Add("X-HubSpot-Signature-v3", signature);
        request.Headers.Add("X-HubSpot-Request-Timestamp", at.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        return await anonymous.SendAsync(request);
    }
}
