using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Domain.Connectors;
using Integrations.Domain.Connectors.Jira;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.Jira;

public sealed class JiraDocumentTests
{
    private static readonly TemplateEvent Event = new(Guid.NewGuid(), "invoice.paid", Guid.NewGuid(), new DateTimeOffset(2026, 12, 7, 10, 30, 5, TimeSpan.Zero));

    [Fact]
    public void Text_becomes_a_doc_of_version_1_with_a_paragraph_per_block_and_hard_breaks_within()
    {
        var doc = JiraDocument.FromText("First line\nsecond line\r\n\r\nNext paragraph\n\n\n");

        doc["type"]!.GetValue<string>().ShouldBe("doc");
        doc["version"]!.GetValue<int>().ShouldBe(1);
        var content = doc["content"]!.AsArray();
        content.Count.ShouldBe(2);
        content[0]!["content"]!.AsArray().Select(n => n!["type"]!.GetValue<string>()).ShouldBe(["text", "hardBreak", "text"]);
        content[1]!["content"]![0]!["text"]!.GetValue<string>().ShouldBe("Next paragraph");
    }

    [Fact]
    public void Empty_text_is_an_empty_doc_without_empty_text_nodes()
    {
        JiraDocument.FromText("").ToJsonString().ShouldBe("""{"type":"doc","version":1,"content":[]}""");
        JiraDocument.FromText("\n\n\n \n").ToJsonString().ShouldNotContain("\"text\":\"\"");
    }

    [Fact]
    public void Very_long_text_is_cut_to_jiras_limit()
    {
        var doc = JiraDocument.FromText(new string('x', 40_000));

        JiraDocument.PlainText(JsonDocument.Parse(doc.ToJsonString()).RootElement).Length.ShouldBe(JiraDocument.MaxTextLength);
    }

    [Fact]
    public void Markup_in_text_stays_text_never_becomes_nodes()
    {
        var doc = JiraDocument.FromText("""{"type":"mention"} *bold* <b>x</b> [link](https://evil.example)""");

        var node = doc["content"]![0]!["content"]!.AsArray().ShouldHaveSingleItem()!;
        node["type"]!.GetValue<string>().ShouldBe("text");
        node["marks"].ShouldBeNull();
    }

    [Fact]
    public void The_default_lists_the_events_scalar_fields_with_bold_names_and_an_open_in_app_link()
    {
        var data = JsonDocument.Parse("""{"invoice_id":"in_1","amount_cents":4200,"paid":true,"customer":{"id":"c"},"lines":[1],"note":""}""").RootElement;

        var doc = JiraDocument.Default(Event, data, "https://app.example.com/i/in_1");

        var content = doc["content"]!.AsArray();
        JiraDocument.PlainText(JsonDocument.Parse(doc.ToJsonString()).RootElement).ShouldBe(
            "invoice.paid at 2026-12-07 10:30:05 UTC\nInvoice id: in_1\nAmount cents: 4200\nPaid: yes\nOpen in app");
        content[1]!["type"]!.GetValue<string>().ShouldBe("bulletList");
        content[1]!["content"]![0]!["content"]![0]!["content"]![0]!["marks"]![0]!["type"]!.GetValue<string>().ShouldBe("strong");
        content[2]!["content"]![0]!["marks"]![0]!["attrs"]!["href"]!.GetValue<string>().ShouldBe("https://app.example.com/i/in_1");
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("/relative")]
    [InlineData("")]
    public void An_open_url_that_is_not_http_is_left_out(string url)
    {
        var doc = JiraDocument.Default(Event, JsonDocument.Parse("{}").RootElement, url);

        doc.ToJsonString().ShouldNotContain("link");
        doc["content"]!.AsArray().Count.ShouldBe(1);
    }
}
