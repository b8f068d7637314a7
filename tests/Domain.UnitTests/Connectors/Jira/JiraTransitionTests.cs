using System.Text.Json;
using Integrations.Domain.Connectors.Jira;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.Jira;

/// <summary>Choosing the transition from Jira's "Get issue" answer with <c>expand=transitions</c>, and a transition route's status map.</summary>
public class JiraTransitionTests
{
    private const string Issue = """
        {"id":"10001","key":"OPS-1","fields":{"status":{"id":"10000","name":"To Do"}},
         "transitions":[
           {"id":"21","name":"Start","to":{"id":"10001","name":"In Progress"},"hasScreen":false,"isAvailable":true},
           {"id":"31","name":"Finish","to":{"id":"10002","name":"Done"},"hasScreen":false},
           {"id":"41","name":"Reject","to":{"id":"10003","name":"Rejected"},"isAvailable":false}]}
        """;

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Theory]
    [InlineData("Done", "31", "Done")]
    [InlineData("done", "31", "Done")]
    [InlineData(" In Progress ", "21", "In Progress")]
    public void The_transition_whose_target_has_the_status_name_ignoring_case_is_taken(string target, string id, string toStatus) =>
        JiraTransition.Choose(Json(Issue), target).ShouldBe(new TransitionChoice.Take(id, toStatus));

    [Fact]
    public void An_issue_in_the_status_already_needs_no_transition() =>
        JiraTransition.Choose(Json(Issue), "to do").ShouldBe(new TransitionChoice.AlreadyThere("To Do"));

    [Fact]
    public void A_status_no_available_transition_leads_to_names_the_current_status_and_those_reachable()
    {
        var none = JiraTransition.Choose(Json(Issue), "Rejected").ShouldBeOfType<TransitionChoice.NoneLeadsThere>();

        none.CurrentStatus.ShouldBe("To Do");
        none.Available.ShouldBe(["In Progress", "Done"], "Rejected's transition is not available now");
        JiraTransition.NoTransitionReason("10001", "Rejected", none)
            .ShouldBe("No transition of Jira issue 10001 leads to status \"Rejected\" (it is in \"To Do\"; transitions available lead to: \"In Progress\", \"Done\").");
    }

    [Theory]
    [InlineData("{\"id\":\"10001\",\"fields\":{}}")]
    [InlineData("[]")]
    [InlineData("{\"transitions\":{}}")]
    public void An_answer_without_transitions_is_unreadable(string answer) =>
        JiraTransition.Choose(Json(answer), "Done").ShouldBeOfType<TransitionChoice.Unreadable>();

    [Fact]
    public void The_transition_body_names_the_transition_by_id() =>
        JiraTransition.TransitionBody("31").ShouldBe("{\"transition\":{\"id\":\"31\"}}");

    [Fact]
    public void Our_status_maps_exactly_and_an_unmapped_or_missing_one_maps_to_nothing()
    {
        var map = new Dictionary<string, string> { ["closed"] = "Done" };

        JiraTransition.JiraStatus(map, "closed").ShouldBe("Done");
        JiraTransition.JiraStatus(map, "Closed").ShouldBeNull();
        JiraTransition.JiraStatus(map, "open").ShouldBeNull();
        JiraTransition.JiraStatus(map, null).ShouldBeNull();
        JiraTransition.JiraStatus(map, "").ShouldBeNull();
    }

    [Theory]
    [InlineData("{\"closed\":\"Done\"}", true)]
    [InlineData("{}", false)]
    [InlineData("{\"closed\":5}", false)]
    [InlineData("{\"\":\"Done\"}", false)]
    [InlineData("{\"closed\":\"  \"}", false)]
    [InlineData("[\"Done\"]", false)]
    public void A_status_map_maps_1_to_50_statuses_to_names(string map, bool valid) =>
        JiraTransition.IsValidStatusMap(Json(map)).ShouldBe(valid);

    [Fact]
    public void A_status_map_of_more_than_50_or_with_names_over_100_characters_is_refused()
    {
        JiraTransition.IsValidStatusMap(Json(JsonSerializer.Serialize(Enumerable.Range(0, 51).ToDictionary(i => $"s{i}", _ => "Done")))).ShouldBeFalse();
        JiraTransition.IsValidStatusMap(Json(JsonSerializer.Serialize(Enumerable.Range(0, 50).ToDictionary(i => $"s{i}", _ => "Done")))).ShouldBeTrue();
        JiraTransition.IsValidStatusMap(Json(JsonSerializer.Serialize(new Dictionary<string, string> { ["closed"] = new('x', 101) }))).ShouldBeFalse();
    }
}
