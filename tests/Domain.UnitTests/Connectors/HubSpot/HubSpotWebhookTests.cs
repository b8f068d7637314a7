using System.Text.Json;
using Integrations.Domain.Connectors.HubSpot;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.HubSpot;

public class HubSpotWebhookTests
{
    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    private static HubSpotChange Change(HubSpotChangeKind kind = HubSpotChangeKind.PropertyChange, string? source = "CRM_UI", string? sourceId = "userId:1") =>
        new("1", "24681357", "1160452", DateTimeOffset.UnixEpoch, "contacts", kind, "51", source, sourceId, "firstname", "Ada");

    [Fact]
    public void A_batch_reads_contacts_and_companies_with_numeric_ids_as_text_and_leaves_other_subscriptions_out()
    {
        var changes = HubSpotWebhook.Parse(Json("""
            [{"eventId":100,"subscriptionId":4,"portalId":24681357,"appId":1160452,"occurredAt":1700000000000,"subscriptionType":"contact.propertyChange",
              "attemptNumber":0,"objectId":51,"changeSource":"CRM_UI","sourceId":"userId:9","propertyName":"firstname","propertyValue":"Ada"},
             {"eventId":101,"portalId":24681357,"appId":1160452,"subscriptionType":"company.deletion","objectId":52},
             {"eventId":102,"portalId":24681357,"appId":1160452,"subscriptionType":"deal.creation","objectId":53},
             {"eventId":103,"portalId":24681357,"subscriptionType":"contact.propertyChange","objectId":54}]
            """))!;

        changes.Count.ShouldBe(2, "deals are not synced; a property change without a property names nothing");
        changes[0].ShouldBe(new HubSpotChange("100", "24681357", "1160452", DateTimeOffset.FromUnixTimeMilliseconds(1700000000000), "contacts",
            HubSpotChangeKind.PropertyChange, "51", "CRM_UI", "userId:9", "firstname", "Ada"));
        changes[1].Object.ShouldBe("companies");
        changes[1].Kind.ShouldBe(HubSpotChangeKind.Deletion);
    }

    [Theory]
    [InlineData("""{"eventId":1}""")]
    [InlineData("""[1, 2]""")]
    [InlineData("\"text\"")]
    public void A_body_that_is_not_an_array_of_events_is_refused(string body) => HubSpotWebhook.Parse(Json(body)).ShouldBeNull();

    [Fact]
    public void More_than_a_hundred_events_are_not_hubspots() =>
        HubSpotWebhook.Parse(Json("[" + string.Join(",", Enumerable.Repeat("{}", 101)) + "]")).ShouldBeNull();

    [Fact]
    public void Ignored_sources_are_compared_ignoring_case_and_our_apps_changes_are_ignored_unless_the_route_wants_them()
    {
        HubSpotWebhook.IsIgnored(Change(source: "IMPORT"), ["import"], ignoreOwnApp: false).ShouldBeTrue();
        HubSpotWebhook.IsIgnored(Change(), ["IMPORT"], ignoreOwnApp: true).ShouldBeFalse("someone in HubSpot's UI");
        HubSpotWebhook.IsIgnored(Change(source: "INTEGRATION", sourceId: "1160452"), [], ignoreOwnApp: true).ShouldBeTrue("our app's own write");
        HubSpotWebhook.IsIgnored(Change(source: "INTEGRATION", sourceId: "999"), [], ignoreOwnApp: true).ShouldBeFalse("another app's change");
        HubSpotWebhook.IsIgnored(Change(source: "INTEGRATION", sourceId: "1160452"), [], ignoreOwnApp: false).ShouldBeFalse("left to the remembered writes");
        HubSpotWebhook.IsIgnored(Change(HubSpotChangeKind.Creation, "INTEGRATION", "1160452"), [], ignoreOwnApp: false)
            .ShouldBeTrue("a record our upsert made is linked by the upsert, never created back");
    }

    [Fact]
    public void Only_templates_that_are_exactly_one_attribute_come_back_and_the_id_property_never_does()
    {
        var back = HubSpotWebhook.PropertiesBack(new Dictionary<string, string>
        {
            ["firstname"] = "{{ data.attributes.first_name }}",
            ["lastname"] = "{{data.attributes.last_name}}",
            ["jobtitle"] = "Dr. {{ data.attributes.title }}",
            ["company"] = "{{ data.customer.name }}",
            ["product_contact_id"] = "{{ data.attributes.id }}",
        }, "product_contact_id");

        back.ShouldBe(new Dictionary<string, string> { ["firstname"] = "first_name", ["lastname"] = "last_name" }, ignoreOrder: true);
    }

    [Fact]
    public void Stored_route_settings_without_way_back_fields_take_the_defaults()
    {
        var settings = HubSpotBackSettings.Of(Json("""{"object":"companies","id_property":"product_company_id"}"""));

        settings.ShouldBe(settings with { ChangesBack = true, IgnoreOwnChanges = true, CreateBack = false, DeleteBack = false, EntityType = "company" });
        settings.IgnoredSources.ShouldBe(["IMPORT"]);
        settings.PropertiesBack["domain"].ShouldBe("domain");
    }

    [Fact]
    public void The_command_key_is_the_same_for_the_same_event_of_the_same_connection_only()
    {
        var connection = Guid.NewGuid();
        HubSpotWebhook.CommandKey(connection, Change()).ShouldBe(HubSpotWebhook.CommandKey(connection, Change() with { PropertyValue = "other" }));
        HubSpotWebhook.CommandKey(connection, Change()).ShouldNotBe(HubSpotWebhook.CommandKey(Guid.NewGuid(), Change()));
        HubSpotWebhook.CommandKey(connection, Change()).ShouldNotBe(HubSpotWebhook.CommandKey(connection, Change() with { EventId = "2" }));
    }
}
