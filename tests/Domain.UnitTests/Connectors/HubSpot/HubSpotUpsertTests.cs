using System.Text.Json;
using Integrations.Domain.Connectors;
using Integrations.Domain.Connectors.HubSpot;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.HubSpot;

public class HubSpotUpsertTests
{
    private static readonly TemplateEvent Event = new(Guid.NewGuid(), "entity.created", Guid.NewGuid(), DateTimeOffset.UnixEpoch);

    private static HubSpotUpsertTemplate Contacts(IReadOnlyDictionary<string, string>? properties = null) => new(
        "contacts", "product_contact_id", JsonTemplate.Parse("\"{{ data.entity_id }}\""),
        (properties ?? HubSpotUpsert.DefaultProperties("contacts")).ToDictionary(p => p.Key, p => JsonTemplate.Parse(JsonSerializer.Serialize(p.Value))), "contact");

    private static JsonElement Data(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void One_input_upserts_by_the_unique_property_which_also_holds_our_id()
    {
        var body = HubSpotUpsert.Build(Contacts(), Event, Data("""{"entity_id":"ct_1","attributes":{"email":"ada@example.com","first_name":"Ada"}}"""))!;

        body.ToJsonString().ShouldBe("""{"inputs":[{"idProperty":"product_contact_id","id":"ct_1","properties":{"email":"ada@example.com","firstname":"Ada","product_contact_id":"ct_1"}}]}""");
    }

    [Fact]
    public void Missing_and_empty_values_are_left_out_so_hubspot_keeps_what_it_has()
    {
        var body = HubSpotUpsert.Build(Contacts(), Event, Data("""{"entity_id":"ct_1","attributes":{"email":"  ","last_name":null}}"""))!;

        body["inputs"]![0]!["properties"]!.AsObject().Select(p => p.Key).ShouldBe(["product_contact_id"]);
    }

    [Fact]
    public void Numbers_and_booleans_become_hubspots_text()
    {
        var template = Contacts(new Dictionary<string, string> { ["employees"] = "{{ data.attributes.n }}", ["vip"] = "{{ data.attributes.vip }}" });

        var properties = HubSpotUpsert.Build(template, Event, Data("""{"entity_id":"ct_1","attributes":{"n":250,"vip":true}}"""))!["inputs"]![0]!["properties"]!;

        properties["employees"]!.GetValue<string>().ShouldBe("250");
        properties["vip"]!.GetValue<string>().ShouldBe("true");
    }

    [Fact]
    public void A_mapping_cannot_overwrite_the_external_id()
    {
        var template = Contacts(new Dictionary<string, string> { ["product_contact_id"] = "{{ data.attributes.other }}" });

        var input = HubSpotUpsert.Build(template, Event, Data("""{"entity_id":"ct_1","attributes":{"other":"ct_999"}}"""))!["inputs"]![0]!;

        input["properties"]!["product_contact_id"]!.GetValue<string>().ShouldBe("ct_1");
    }

    [Theory]
    [InlineData("""{"attributes":{}}""")]
    [InlineData("""{"entity_id":""}""")]
    public void An_event_without_our_id_makes_no_request(string data) => HubSpotUpsert.Build(Contacts(), Event, Data(data)).ShouldBeNull();

    [Fact]
    public void The_link_reads_our_id_from_the_request_and_hubspots_from_the_answer()
    {
        var body = HubSpotUpsert.Build(Contacts(), Event, Data("""{"entity_id":"ct_1"}"""))!;

        HubSpotUpsert.IdOf(JsonDocument.Parse(body.ToJsonString()).RootElement).ShouldBe("ct_1");
        HubSpotUpsert.RecordIdOf(Data("""{"status":"COMPLETE","results":[{"id":"51","new":true}]}""")).ShouldBe("51");
        HubSpotUpsert.RecordIdOf(Data("""{"status":"COMPLETE","results":[]}""")).ShouldBeNull();
        HubSpotUpsert.ExternalType("companies").ShouldBe("hubspot.company");
    }

    [Fact]
    public void The_company_to_associate_is_rendered_from_the_route_and_an_update_answer_names_its_record_at_the_top()
    {
        var template = Contacts() with { CompanyId = JsonTemplate.Parse("\"{{ data.attributes.company_id }}\"") };

        HubSpotUpsert.CompanyIdOf(template, Event, Data("""{"entity_id":"ct_1","attributes":{"company_id":"co_7"}}""")).ShouldBe("co_7");
        HubSpotUpsert.CompanyIdOf(template, Event, Data("""{"entity_id":"ct_1","attributes":{"company_id":"  "}}""")).ShouldBeNull();
        HubSpotUpsert.CompanyIdOf(Contacts(), Event, Data("""{"entity_id":"ct_1","attributes":{"company_id":"co_7"}}""")).ShouldBeNull("the route names no company");
        HubSpotUpsert.AssociationPath("51", "52").ShouldBe("/crm/v4/objects/contacts/51/associations/default/companies/52");
        HubSpotUpsert.AnsweredIdOf(Data("""{"id":"51","properties":{}}""")).ShouldBe("51");
        HubSpotUpsert.AnsweredIdOf(Data("""{"status":"COMPLETE","results":[{"id":"53"}]}""")).ShouldBe("53");
    }
}
