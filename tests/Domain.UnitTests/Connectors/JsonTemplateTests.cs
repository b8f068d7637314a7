using System.Text.Json;
using Integrations.Domain.Common;
using Integrations.Domain.Connectors;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors;

public class JsonTemplateTests
{
    private static readonly TemplateEvent Event = new(Guid.Parse("0193a5f3-4d5e-7f60-8172-93a4b5c6d7e8"), "invoice.paid",
        Guid.Parse("0193f0a0-0000-7000-8000-0000000000a1"), new DateTimeOffset(2026, 12, 6, 9, 15, 0, 123, TimeSpan.Zero));

    private static readonly JsonElement Data = JsonDocument.Parse("""
        {"invoice_id": "in_1", "amount_cents": 4200, "paid": true, "customer": {"name": "Acme \"Inc\"", "tags": ["a", "b"]},
         "lines": [{"sku": "X1", "qty": 2}], "note": null}
        """).RootElement;

    private static string Render(string template) => JsonTemplate.Parse(template).RenderJson(Event, Data);

    [Fact]
    public void A_lone_placeholder_keeps_the_values_json_type()
    {
        Render("""{"amount": "{{ data.amount_cents }}", "paid": "{{data.paid}}", "customer": "{{ data.customer }}", "sku": "{{ data.lines[0].sku }}"}""")
            .ShouldBe("""{"amount":4200,"paid":true,"customer":{"name":"Acme \"Inc\"","tags":["a","b"]},"sku":"X1"}""");
    }

    [Fact]
    public void Placeholders_inside_text_are_written_as_text_and_stay_escaped_json()
    {
        Render("""{"text": "Invoice {{data.invoice_id}} of {{ data.customer.name }} paid: {{data.amount_cents}} ({{data.customer.tags}})"}""")
            .ShouldBe("""{"text":"Invoice in_1 of Acme \"Inc\" paid: 4200 ([\"a\", \"b\"])"}""");
    }

    [Fact]
    public void The_events_envelope_fields_are_paths_too()
    {
        Render("""["{{event.id}}", "{{event.type}}", "{{event.tenant_id}}", "{{event.timestamp}}"]""")
            .ShouldBe("""["0193a5f3-4d5e-7f60-8172-93a4b5c6d7e8","invoice.paid","0193f0a0-0000-7000-8000-0000000000a1","2026-12-06T09:15:00.123Z"]""");
    }

    [Fact]
    public void A_missing_value_is_null_alone_empty_in_text_or_its_default()
    {
        Render("""{"a": "{{ data.nope }}", "b": "x{{data.nope}}y", "c": "{{ data.note | default: \"none\" }}", "d": "{{data.lines[5].sku | default: 0}}"}""")
            .ShouldBe("""{"a":null,"b":"xy","c":"none","d":0}""");
    }

    [Fact]
    public void Literal_parts_of_the_template_are_kept()
    {
        Render("""{"fixed": 1, "list": [true, null, "plain"], "nested": {"k": "v"}}""").ShouldBe("""{"fixed":1,"list":[true,null,"plain"],"nested":{"k":"v"}}""");
    }

    [Theory]
    [InlineData("""{"x": "{{ data.a"}""", "not closed")]
    [InlineData("""{"x": "{{ system.exit }}"}""", "not a path")]
    [InlineData("""{"x": "{{ data.a | upper }}"}""", "Unknown filter")]
    [InlineData("""{"x": "{{ data.a | default: none }}"}""", "JSON literal")]
    [InlineData("""{"x": "{{ data.items[x] }}"}""", "index")]
    [InlineData("""{"x": """, "not JSON")]
    public void Bad_templates_are_refused_when_parsed_saying_why(string template, string why)
    {
        var error = Should.Throw<DomainException>(() => JsonTemplate.Parse(template));
        error.Code.ShouldBe("invalid_template");
        error.Message.ShouldContain(why);
    }

    [Fact]
    public void The_paths_a_template_reads_are_listed()
    {
        JsonTemplate.Parse("""{"a": "{{data.x}} {{ data.y.z }}", "b": "{{data.x}}"}""").Paths.Order().ShouldBe(["data.x", "data.y.z"]);
    }
}
