using System.Text.Json;
using Integrations.Domain.Connectors;
using Integrations.Domain.Connectors.Slack;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.Slack;

public class SlackMessageTests
{
    private static readonly TemplateEvent Event = new(Guid.Parse("0193a5f3-4d5e-7f60-8172-93a4b5c6d7e8"), "order.line_item.added",
        Guid.Parse("0193f0a0-0000-7000-8000-0000000000a1"), new DateTimeOffset(2026, 12, 6, 9, 15, 0, TimeSpan.Zero));

    private static JsonElement Data(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void The_default_message_has_a_header_the_scalar_fields_in_order_a_context_and_no_button_without_an_url()
    {
        var message = SlackMessage.Build("C0123", Event, Data("""{"order_id":"o_1","qty":3,"gift":true,"customer":{"id":"c"},"tags":["x"],"note":null}"""), null, null);

        message["channel"]!.GetValue<string>().ShouldBe("C0123");
        message["text"]!.GetValue<string>().ShouldBe("Order line item added");
        var blocks = message["blocks"]!.AsArray();
        blocks.Select(b => b!["type"]!.GetValue<string>()).ShouldBe(["header", "section", "context"]);
        blocks[0]!["text"]!["text"]!.GetValue<string>().ShouldBe("Order line item added");
        blocks[1]!["fields"]!.AsArray().Select(f => f!["text"]!.GetValue<string>()).ShouldBe(["*Order id*\no_1", "*Qty*\n3", "*Gift*\nyes"]);
        blocks[2]!["elements"]![0]!["text"]!.GetValue<string>().ShouldBe("`order.line_item.added` · 2026-12-06 09:15:00 UTC");
    }

    [Fact]
    public void Data_cannot_make_links_or_mentions_and_long_values_are_cut_to_block_kits_limits()
    {
        var fields = Enumerable.Range(1, 12).ToDictionary(i => $"f{i}", i => i == 1 ? "<!channel> & <https://evil|click>" : new string('x', 3000));
        var message = SlackMessage.Build("C0123", Event, JsonSerializer.SerializeToElement(fields), null, null);

        var texts = message["blocks"]![1]!["fields"]!.AsArray().Select(f => f!["text"]!.GetValue<string>()).ToList();
        texts.Count.ShouldBe(SlackMessage.MaxFields);
        texts[0].ShouldBe("*F1*\n&lt;!channel&gt; &amp; &lt;https://evil|click&gt;");
        texts[1].Length.ShouldBe(SlackMessage.MaxFieldLength);
        texts[1].ShouldEndWith("…");
    }

    [Fact]
    public void The_open_in_app_button_gets_the_rendered_url_with_values_percent_encoded()
    {
        var message = SlackMessage.Build("C0123", Event, Data("""{"order_id":"a/b ?c"}"""), null, PathTemplate.Parse("https://app.example.com/orders/{{ data.order_id }}"));

        var button = message["blocks"]!.AsArray().Last()!["elements"]![0]!;
        button["type"]!.GetValue<string>().ShouldBe("button");
        button["text"]!["text"]!.GetValue<string>().ShouldBe("Open in app");
        button["url"]!.GetValue<string>().ShouldBe("https://app.example.com/orders/a%2Fb%20%3Fc");
    }

    [Fact]
    public void A_route_template_replaces_the_default_and_still_gets_the_channel_and_a_fallback_text()
    {
        var template = JsonTemplate.Parse("""{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"Order {{ data.order_id }}"}}]}""");

        var message = SlackMessage.Build("C0123", Event, Data("""{"order_id":"o_9"}"""), template, null);

        message.ToJsonString().ShouldBe("""{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"Order o_9"}}],"channel":"C0123","text":"Order line item added"}""");
    }

    [Theory]
    [InlineData("invoice.paid", "Invoice paid")]
    [InlineData("customer-updated", "Customer updated")]
    [InlineData("", "Event")]
    public void Titles_come_from_the_event_type(string type, string title) => SlackMessage.Title(type).ShouldBe(title);
}
