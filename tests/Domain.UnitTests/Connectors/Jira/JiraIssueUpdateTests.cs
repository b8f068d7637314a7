using System.Text.Json;
using Integrations.Domain.Connectors.Jira;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.Jira;

/// <summary>Reading a jira:issue_updated delivery (Atlassian's "Example callback for an issue-related event") and a route's status map.</summary>
public class JiraIssueUpdateTests
{
    private const string Delivery = """
        {"timestamp":1796623200000,"webhookEvent":"jira:issue_updated","issue_event_type_name":"issue_generic",
         "user":{"accountId":"557058:f58131cb"},"issue":{"id":"10001","key":"OPS-1","fields":{}},
         "changelog":{"id":"10400","items":[{"field":"labels","fieldId":"labels","fromString":"","toString":"x"},
           {"field":"status","fieldtype":"jira","fieldId":"status","from":"10000","fromString":"To Do","to":"10002","toString":"Done"}]}}
        """;

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public void The_status_item_of_the_changelog_is_the_change()
    {
        var change = JiraIssueUpdate.StatusChangeOf(Json(Delivery)).ShouldNotBeNull();
        change.ShouldBe(new JiraStatusChange("10001", "OPS-1", "10400", "557058:f58131cb", "To Do", "Done"));
    }

    [Theory]
    [InlineData("\"webhookEvent\":\"jira:issue_updated\"", "\"webhookEvent\":\"jira:issue_created\"")]
    [InlineData("\"fieldId\":\"status\"", "\"fieldId\":\"resolution\"")]
    [InlineData("\"id\":\"10400\"", "\"idx\":\"10400\"")]
    [InlineData("\"id\":\"10001\"", "\"idx\":\"10001\"")]
    [InlineData("\"toString\":\"Done\"", "\"toString\":null")]
    public void Other_events_changes_without_a_status_or_without_ids_are_no_change(string from, string to)
    {
        var text = Delivery.Replace(from, to);
        text.ShouldNotBe(Delivery);
        JiraIssueUpdate.StatusChangeOf(Json(text)).ShouldBeNull();
    }

    [Fact]
    public void Numeric_ids_are_read_as_text_and_a_body_not_shaped_like_jiras_is_no_change()
    {
        JiraIssueUpdate.StatusChangeOf(Json(Delivery.Replace("\"10400\"", "10400"))).ShouldNotBeNull().ChangelogId.ShouldBe("10400");
        JiraIssueUpdate.StatusChangeOf(Json("[]")).ShouldBeNull();
        JiraIssueUpdate.StatusChangeOf(Json("""{"webhookEvent":"jira:issue_updated","issue":"x"}""")).ShouldBeNull();
    }

    [Fact]
    public void The_status_map_maps_jira_names_ignoring_case_and_nothing_else()
    {
        var map = JiraIssueUpdate.StatusMapOf(Json("""{"status_map":{"Done":"closed","In Progress":"active","Bad":3}}"""));
        map.Count.ShouldBe(2);
        JiraIssueUpdate.OurStatus(map, "done").ShouldBe("closed");
        JiraIssueUpdate.OurStatus(map, "In Progress").ShouldBe("active");
        JiraIssueUpdate.OurStatus(map, "To Do").ShouldBeNull();
        JiraIssueUpdate.StatusMapOf(Json("{}")).ShouldBeEmpty();
    }

    [Fact]
    public void The_change_carries_every_item_by_field_id_and_the_status_item()
    {
        var change = JiraIssueUpdate.ChangeOf(Json(Delivery)).ShouldNotBeNull();
        change.Items.Select(i => i.FieldId).ShouldBe(["labels", "status"]);
        change.Items[0].ShouldBe(new JiraChangeItem("labels", null, "", null, "x"));
        change.Status.ShouldNotBeNull().To.ShouldBe("10002");
        JiraIssueUpdate.ChangeOf(Json(Delivery.Replace("\"fieldId\":\"status\"", "\"fieldId\":\"resolution\""))).ShouldNotBeNull().Status.ShouldBeNull();
        JiraIssueUpdate.ChangeOf(Json(Delivery.Replace("\"items\":[", "\"items\":[],\"x\":["))).ShouldBeNull("no items: no change");
    }

    [Fact]
    public void Fields_back_convert_the_mapped_items_and_leave_out_unmapped_and_unconvertible_ones()
    {
        var settings = Json("""
            {"fields_back":{"duedate":{"attribute":"due_at","type":"date"},"customfield_10010":{"attribute":"amount_cents","type":"number"},
                            "priority":{"attribute":"priority","type":"option"},"assignee":{"attribute":"owner","type":"user"},"bad":{"attribute":3}}}
            """);
        var mappings = JiraFieldsBack.Of(settings);
        mappings.Select(m => m.FieldId).ShouldBe(["duedate", "customfield_10010", "priority", "assignee"]);
        JiraChangeItem[] items =
        [
            new("duedate", null, null, "2026-12-31", "2026-12-31 00:00:00.0"),
            new("customfield_10010", null, "100", null, "not a number"),
            new("priority", "3", "Medium", "2", "High"),
            new("assignee", null, null, "557058:f58131cb", "Mia Krystof"),
            new("summary", null, "old", null, "new"),
        ];

        var attributes = JiraFieldsBack.AttributesOf(mappings, items);

        attributes.ToJsonString().ShouldBe("""{"due_at":"2026-12-31","priority":"High","owner":"557058:f58131cb"}""");
        JiraFieldsBack.AttributesOf(mappings, [new("summary", null, "old", null, "new")]).ShouldBeEmpty();
        JiraFieldsBack.Of(Json("{}")).ShouldBeEmpty();
    }
}
