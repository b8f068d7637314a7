using System.Text.Json;
using Integrations.Domain.Connectors;
using Integrations.Domain.Connectors.Jira;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.Jira;

public sealed class JiraIssueTests
{
    private static readonly TemplateEvent Event = new(Guid.NewGuid(), "invoice.overdue", Guid.NewGuid(), DateTimeOffset.UnixEpoch);
    private static readonly JsonElement Data = JsonDocument.Parse("""{"invoice_id":"in_1","amount":"12.50","tags":["vip client"]}""").RootElement;

    private static JiraIssueTemplate Template(string summary = "Invoice {{ data.invoice_id }}", string? description = null, JiraFieldMapping[]? fields = null,
        string project = "OPS", string issueType = "Task") =>
        new(project, issueType, JsonTemplate.Parse(JsonSerializer.Serialize(summary)), description is null ? null : JsonTemplate.Parse(JsonSerializer.Serialize(description)),
            ["billing", "billing"], fields ?? [], null);

    [Fact]
    public void The_body_names_project_and_issue_type_by_key_and_name_or_by_id()
    {
        var byName = JiraIssue.Build(Template(), Event, Data)["fields"]!;
        byName["project"]!.ToJsonString().ShouldBe("""{"key":"OPS"}""");
        byName["issuetype"]!.ToJsonString().ShouldBe("""{"name":"Task"}""");
        var byId = JiraIssue.Build(Template(project: "10000", issueType: "10001"), Event, Data)["fields"]!;
        byId["project"]!.ToJsonString().ShouldBe("""{"id":"10000"}""");
        byId["issuetype"]!.ToJsonString().ShouldBe("""{"id":"10001"}""");
    }

    [Fact]
    public void Summary_is_one_line_at_most_255_characters_and_never_empty()
    {
        JiraIssue.Build(Template("a\nb\r\nc"), Event, Data)["fields"]!["summary"]!.GetValue<string>().ShouldBe("a b c");
        JiraIssue.Build(Template("{{ data.missing }}"), Event, Data)["fields"]!["summary"]!.GetValue<string>().ShouldBe("Invoice overdue");
        JiraIssue.Build(Template(new string('s', 300)), Event, Data)["fields"]!["summary"]!.GetValue<string>().Length.ShouldBe(JiraIssue.MaxSummaryLength);
    }

    [Fact]
    public void Labels_are_distinct_and_mapped_labels_add_to_them()
    {
        var fields = JiraIssue.Build(Template(fields: [new JiraFieldMapping("labels", "labels", JsonTemplate.Parse("\"{{ data.tags }}\""))]), Event, Data)["fields"]!;

        fields["labels"]!.ToJsonString().ShouldBe("""["billing","vip_client"]""");
    }

    [Fact]
    public void Mapped_fields_are_converted_and_those_that_do_not_convert_are_left_out()
    {
        var fields = JiraIssue.Build(Template(fields:
        [
            new JiraFieldMapping("customfield_10010", "number", JsonTemplate.Parse("\"{{ data.amount }}\"")),
            new JiraFieldMapping("duedate", "date", JsonTemplate.Parse("\"{{ data.invoice_id }}\"")),
        ]), Event, Data)["fields"]!.AsObject();

        fields["customfield_10010"]!.ToJsonString().ShouldBe("12.50");
        fields.ContainsKey("duedate").ShouldBeFalse();
    }

    [Fact]
    public void A_description_template_becomes_adf_and_without_one_the_default_is_used()
    {
        var templated = JiraIssue.Build(Template(description: "Overdue: {{ data.invoice_id }}"), Event, Data)["fields"]!["description"]!;
        templated["content"]![0]!["content"]![0]!["text"]!.GetValue<string>().ShouldBe("Overdue: in_1");
        var fallback = JiraIssue.Build(Template(), Event, Data)["fields"]!["description"]!;
        fallback["content"]!.AsArray().Count.ShouldBe(2, "the event line and the field list");
    }

    [Fact]
    public void The_entity_rides_along_as_an_issue_property_and_is_read_back()
    {
        var template = Template() with { Entity = new JiraEntity("invoice", JsonTemplate.Parse("\"{{ data.invoice_id }}\"")) };

        var body = JiraIssue.Build(template, Event, Data);

        body["properties"]!.ToJsonString().ShouldBe("""[{"key":"integrations.entity","value":{"type":"invoice","id":"in_1"}}]""");
        JiraIssue.EntityOf(JsonDocument.Parse(body.ToJsonString()).RootElement).ShouldBe(("invoice", "in_1"));
    }

    [Theory]
    [InlineData("""{"fields":{}}""")]
    [InlineData("""{"properties":[{"key":"other","value":{"type":"a","id":"b"}}]}""")]
    [InlineData("""{"properties":[{"key":"integrations.entity","value":{"type":"a","id":7}}]}""")]
    [InlineData("""{"properties":{}}""")]
    [InlineData("[]")]
    public void A_body_without_our_property_names_no_entity(string body) =>
        JiraIssue.EntityOf(JsonDocument.Parse(body).RootElement).ShouldBeNull();

    [Fact]
    public void An_entity_id_that_renders_empty_adds_no_property()
    {
        var template = Template() with { Entity = new JiraEntity("invoice", JsonTemplate.Parse("\"{{ data.missing }}\"")) };

        JiraIssue.Build(template, Event, Data).ContainsKey("properties").ShouldBeFalse();
    }
}
