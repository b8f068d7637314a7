using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Domain.Connectors;
using Integrations.Domain.Connectors.Teams;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.Teams;

public class TeamsCardTests
{
    private static readonly TemplateEvent Paid = new(Guid.NewGuid(), "invoice.paid", Guid.NewGuid(), new DateTimeOffset(2026, 12, 7, 14, 5, 9, TimeSpan.Zero));

    private static JsonElement Data(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void The_default_card_is_adaptive_card_1_5_with_a_heading_the_scalar_facts_in_order_and_a_context_line()
    {
        var card = TeamsCard.Default(Paid, Data("""{"invoice_id":"in_1","amount_cents":4200,"paid":true,"refunded":false,"customer":{"id":"c"},"lines":[1]}"""), null);

        card["type"]!.GetValue<string>().ShouldBe("AdaptiveCard");
        card["version"]!.GetValue<string>().ShouldBe("1.5");
        card["$schema"]!.GetValue<string>().ShouldBe("http://adaptivecards.io/schemas/adaptive-card.json");
        var body = card["body"]!.AsArray();
        body[0]!["text"]!.GetValue<string>().ShouldBe("Invoice paid");
        body[0]!["style"]!.GetValue<string>().ShouldBe("heading");
        body[1]!["facts"]!.AsArray().Select(f => $"{f!["title"]}={f["value"]}").ShouldBe(["Invoice id=in\\_1", "Amount cents=4200", "Paid=yes", "Refunded=no"]);
        body[2]!["text"]!.GetValue<string>().ShouldBe("invoice.paid · 2026-12-07 14:05:09 UTC");
        card.ContainsKey("actions").ShouldBeFalse("no open_url, no action");
    }

    [Fact]
    public void At_most_ten_facts()
    {
        var data = "{" + string.Join(",", Enumerable.Range(1, 15).Select(i => $"\"f{i}\":{i}")) + "}";

        TeamsCard.Default(Paid, Data(data), null)["body"]![1]!["facts"]!.AsArray().Count.ShouldBe(TeamsCard.MaxFacts);
    }

    [Fact]
    public void Markdown_in_the_data_is_escaped_so_it_cannot_make_links_or_emphasis()
    {
        var card = TeamsCard.Default(Paid, Data("""{"note":"[click](https://evil.example) **now** <at>x</at>"}"""), null);

        card["body"]![1]!["facts"]![0]!["value"]!.GetValue<string>().ShouldBe("\\[click\\](https://evil.example) \\*\\*now\\*\\* \\<at\\>x\\</at\\>");
    }

    [Fact]
    public void The_open_in_app_action_has_the_url_with_values_percent_encoded_and_only_http_urls()
    {
        var card = TeamsCard.Default(Paid, Data("""{"id":"a b/c"}"""), PathTemplate.Parse("https://app.example.com/i/{{ data.id }}"));

        var action = card["actions"]!.AsArray().ShouldHaveSingleItem()!;
        action["type"]!.GetValue<string>().ShouldBe("Action.OpenUrl");
        action["title"]!.GetValue<string>().ShouldBe("Open in app");
        action["url"]!.GetValue<string>().ShouldBe("https://app.example.com/i/a%20b%2Fc");
    }

    [Fact]
    public void A_route_template_replaces_the_default_and_gets_the_boilerplate_it_left_out()
    {
        var template = JsonTemplate.Parse("""{"body":[{"type":"TextBlock","text":"Paid: {{ data.id }}"}]}""");

        var card = TeamsCard.Build(Paid, Data("""{"id":"in_9"}"""), template, null);

        card["body"]![0]!["text"]!.GetValue<string>().ShouldBe("Paid: in_9");
        card["type"]!.GetValue<string>().ShouldBe("AdaptiveCard");
        card["version"]!.GetValue<string>().ShouldBe("1.5");
    }

    [Fact]
    public void The_workflows_message_wraps_the_card_as_microsoft_documents_it()
    {
        var message = TeamsCard.WorkflowsMessage(new JsonObject { ["type"] = "AdaptiveCard" });

        message.ToJsonString().ShouldBe("""{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,"content":{"type":"AdaptiveCard"}}]}""");
    }

    [Fact]
    public void The_bot_activity_is_a_message_with_the_card_attached_and_a_summary()
    {
        var activity = TeamsCard.BotActivity(new JsonObject { ["type"] = "AdaptiveCard" }, "Invoice paid");

        activity["type"]!.GetValue<string>().ShouldBe("message");
        activity["summary"]!.GetValue<string>().ShouldBe("Invoice paid");
        activity["attachments"]![0]!["contentType"]!.GetValue<string>().ShouldBe(TeamsCard.ContentType);
    }
}
