using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Integrations.IntegrationTests.Api;
using Integrations.IntegrationTests.Connectors;
using DeliveryApi = Integrations.IntegrationTests.Webhooks.Delivery.DeliveryApi;
using Shouldly;

namespace Integrations.IntegrationTests.HubSpot;

/// <summary>
/// The hubspot provider through real processes: OAuth at the HubSpot fake with the portal as the
/// account, and contacts of the product upserted into the portal by their external id, linked in the
/// identity map, under HubSpot's burst limit.
/// </summary>
[Collection(HubSpotCollection.Name)]
public sealed class HubSpotConnectorTests(HubSpotSystem system) : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => system.ResetHubSpotAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Connecting_stores_the_portal_as_the_account_and_never_the_tokens()
    {
        var tenant = await system.TenantAsync();

        var id = await system.ConnectAsync(tenant.Client);

        var connection = await Connections.ConnectionsSystem.GetAsync(tenant.Client, id);
        connection.GetProperty("status").GetString().ShouldBe("connected");
        connection.GetProperty("account").GetProperty("id").GetString().ShouldBe(HubSpotSystem.Portal);
        connection.GetProperty("account").GetProperty("name").GetString().ShouldBe("app-eu1.hubspot.com");
        connection.GetRawText().ShouldNotContain(HubSpotSystem.HubSpotClientSecret);
        var token = (await system.HubSpotControl.GetFromJsonAsync<JsonElement>("/_fake/requests?path_prefix=/oauth/v1/token"))
            .GetProperty("data").EnumerateArray().ShouldHaveSingleItem();
        token.GetProperty("body").GetString()!.ShouldContain("client_secret=" + HubSpotSystem.HubSpotClientSecret, customMessage: "HubSpot takes the secret in the form body");
    }

    [Fact]
    public async Task A_contact_is_made_then_updated_in_place_by_its_external_id_and_linked()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectAsync(tenant.Client);
        await HubSpotSystem.ContactRouteAsync(tenant.Client, id);

        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", new
        {
            entity_id = "ct_1001", entity_type = "contact", attributes = new { email = "ada@example.com", first_name = "Ada", last_name = "Lovelace", vip = true },
        });
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the contact was upserted");
        await DeliveryApi.PublishAsync(tenant.Client, "entity.updated", new
        {
            entity_id = "ct_1001", entity_type = "contact", changed_fields = new[] { "last_name" }, attributes = new { last_name = "King" },
        });
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 2 && c.All(x => x.Status() == "succeeded"), Soon, "the update was upserted");

        var contact = (await system.RecordsAsync("contacts")).ShouldHaveSingleItem("the second upsert found the record by product_contact_id");
        var properties = contact.GetProperty("properties");
        properties.GetProperty("product_contact_id").GetString().ShouldBe("ct_1001");
        properties.GetProperty("email").GetString().ShouldBe("ada@example.com", "an attribute the update lacks is left as it was, not blanked");
        properties.GetProperty("firstname").GetString().ShouldBe("Ada");
        properties.GetProperty("lastname").GetString().ShouldBe("King");
        var link = (await (await tenant.Client.GetAsync($"/api/v1/connections/{id}/links")).ShouldBeJsonAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().ShouldHaveSingleItem();
        link.GetProperty("entity_type").GetString().ShouldBe("contact");
        link.GetProperty("entity_id").GetString().ShouldBe("ct_1001");
        link.GetProperty("external_type").GetString().ShouldBe("hubspot.contact");
        link.GetProperty("external_id").GetString().ShouldBe(contact.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Mapped_properties_replace_the_defaults_and_numbers_are_sent_as_text()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectAsync(tenant.Client);
        await HubSpotSystem.ContactRouteAsync(tenant.Client, id, new
        {
            @object = "companies", id_property = "product_company_id", entity_type = "contact",
            properties = new { name = "{{ data.attributes.company }}", industry = "{{ data.attributes.employees }}" },
        });

        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", new { entity_id = "co_7", entity_type = "contact", attributes = new { company = "Acme", employees = 250, city = "Utrecht" } });

        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the company was upserted");
        var company = (await system.RecordsAsync("companies")).ShouldHaveSingleItem().GetProperty("properties");
        company.GetProperty("name").GetString().ShouldBe("Acme");
        company.GetProperty("industry").GetString().ShouldBe("250");
        company.TryGetProperty("city", out _).ShouldBeFalse("only the mapped properties are sent");
    }

    [Fact]
    public async Task At_the_burst_limit_calls_wait_for_hubspots_window_and_all_arrive()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectAsync(tenant.Client);
        await HubSpotSystem.ContactRouteAsync(tenant.Client, id);
        await system.BurstLimitAsync(2);

        for (var i = 0; i < 4; i++)
            await DeliveryApi.PublishAsync(tenant.Client, "entity.created", new { entity_id = $"ct_b{i}", entity_type = "contact", attributes = new { email = $"b{i}@example.com" } });

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 4 && c.All(x => x.Status() == "succeeded"), TimeSpan.FromSeconds(60),
            "every contact arrived once HubSpot's window let them");
        (await system.RecordsAsync("contacts")).Count.ShouldBe(4);
        var details = new List<List<JsonElement>>();
        foreach (var call in calls) details.Add((await ConnectorsSystem.CallAsync(tenant.Client, id, call.Id())).Attempts());
        var limited = details.Where(a => a.Any(x => x.GetProperty("status_code").ValueKind == JsonValueKind.Number && x.GetProperty("status_code").GetInt32() == 429)).ToList();
        limited.ShouldNotBeEmpty("a limit of 2 per 10 s refuses some of 4 calls");
        foreach (var attempts in limited)
        {
            var refused = attempts.First(x => x.GetProperty("status_code").ValueKind == JsonValueKind.Number && x.GetProperty("status_code").GetInt32() == 429);
            var next = attempts.SkipWhile(x => !x.Equals(refused)).Skip(1).First(x => x.GetProperty("sent").GetBoolean());
            (next.GetProperty("started_at").GetDateTimeOffset() - refused.GetProperty("started_at").GetDateTimeOffset())
                .ShouldBeGreaterThan(TimeSpan.FromSeconds(5), "X-HubSpot-RateLimit-Remaining: 0 with the 10 s interval holds the next try back");
        }
    }

    [Fact]
    public async Task A_deleted_record_archives_its_linked_hubspot_record_and_an_unlinked_one_makes_no_call()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectAsync(tenant.Client);
        await HubSpotSystem.ContactRouteAsync(tenant.Client, id);
        var archive = await (await tenant.Client.PostAsJsonAsync($"/api/v1/connections/{id}/routes", new
        {
            event_types = new[] { "entity.deleted" }, action = "hubspot.archive", settings = new { @object = "contacts" },
            filter = new[] { new { path = "data.entity_type", op = "eq", value = "contact" } },
        })).ShouldBeJsonAsync(HttpStatusCode.Created);
        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", new { entity_id = "ct_gone", entity_type = "contact", attributes = new { email = "gone@example.com" } });
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the contact was upserted");

        await DeliveryApi.PublishAsync(tenant.Client, "entity.deleted", new { entity_id = "ct_never_synced", entity_type = "contact" });
        await DeliveryApi.PublishAsync(tenant.Client, "entity.deleted", new { entity_id = "ct_gone", entity_type = "contact" });

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 2 && c.All(x => x.Status() == "succeeded"), Soon, "the archive was sent");
        var contact = (await system.RecordsAsync("contacts")).ShouldHaveSingleItem();
        contact.GetProperty("archived").GetBoolean().ShouldBeTrue("archived (the recycling bin), never deleted for good");
        var sent = (await ConnectorsSystem.CallAsync(tenant.Client, id, calls.Single(c => c.GetProperty("route_id").GetGuid() == archive.GetProperty("id").GetGuid()).Id()))
            .Attempts().ShouldHaveSingleItem();
        sent.GetProperty("request").GetProperty("method").GetString().ShouldBe("DELETE");
        sent.GetProperty("status_code").GetInt32().ShouldBe(204);
    }

    [Fact]
    public async Task A_contact_naming_its_linked_company_is_associated_with_it_and_one_whose_company_is_not_linked_is_not()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectAsync(tenant.Client);
        await HubSpotSystem.ContactRouteAsync(tenant.Client, id, new { @object = "contacts", id_property = "product_contact_id", company_id = "{{ data.attributes.company_id }}" });
        var body = new
        {
            event_types = new[] { "entity.created", "entity.updated" }, action = "hubspot.upsert",
            settings = new { @object = "companies", id_property = "product_company_id" },
            filter = new[] { new { path = "data.entity_type", op = "eq", value = "company" } },
        };
        await (await tenant.Client.PostAsJsonAsync($"/api/v1/connections/{id}/routes", body)).ShouldBeJsonAsync(HttpStatusCode.Created);
        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", new { entity_id = "co_acme", entity_type = "company", attributes = new { name = "Acme" } });
        await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 1 && c[0].Status() == "succeeded", Soon, "the company was upserted and linked");

        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", new { entity_id = "ct_wile", entity_type = "contact", attributes = new { email = "wile@example.com", company_id = "co_acme" } });
        await DeliveryApi.PublishAsync(tenant.Client, "entity.created", new { entity_id = "ct_road", entity_type = "contact", attributes = new { email = "road@example.com", company_id = "co_unknown" } });

        var calls = await ConnectorsSystem.WaitForCallsAsync(tenant.Client, id, c => c.Count == 4 && c.All(x => x.Status() == "succeeded"), Soon,
            "two companies' and contacts' upserts and one association");
        var company = (await system.RecordsAsync("companies")).ShouldHaveSingleItem().GetProperty("id").GetString();
        var contacts = await system.RecordsAsync("contacts");
        contacts.Single(c => c.GetProperty("properties").GetProperty("email").GetString() == "wile@example.com").GetProperty("companies").EnumerateArray()
            .Select(c => c.GetString()).ShouldBe([company]);
        contacts.Single(c => c.GetProperty("properties").GetProperty("email").GetString() == "road@example.com").GetProperty("companies").GetArrayLength()
            .ShouldBe(0, "its company was never linked through this connection");
        var requests = new List<string>();
        foreach (var call in calls) requests.Add((await ConnectorsSystem.CallAsync(tenant.Client, id, call.Id())).Attempts().Last().GetProperty("request").GetProperty("method").GetString()!);
        requests.Count(m => m == "PUT").ShouldBe(1);
    }

    [Fact]
    public async Task Route_settings_hubspot_cannot_take_are_refused_with_each_reason()
    {
        var tenant = await system.TenantAsync();
        var id = await system.ConnectAsync(tenant.Client);

        var response = await tenant.Client.PostAsJsonAsync($"/api/v1/connections/{id}/routes", new
        {
            event_types = new[] { "entity.created" }, action = "hubspot.upsert", filter = Array.Empty<object>(),
            settings = new { @object = "deals", id_property = "email", properties = new { FirstName = "{{ data.x }}", phone = 5 }, colour = "red", company_id = "{{ data.attributes.company_id }}" },
        });

        var error = await response.ShouldBeErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        var fields = error.GetProperty("details").EnumerateArray().Select(d => d.GetProperty("field").GetString()).ToList();
        fields.ShouldBe(["settings.colour", "settings.object", "settings.id_property", "settings.properties.firstName", "settings.properties.phone", "settings.company_id"],
            ignoreOrder: true);
        (await (await tenant.Client.GetAsync($"/api/v1/connections/{id}/routes")).ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength().ShouldBe(0);
    }
}
