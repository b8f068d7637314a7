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
}
