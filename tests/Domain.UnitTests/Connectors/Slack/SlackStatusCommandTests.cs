using System.Text;
using System.Text.Json;
using Integrations.Domain.Connectors.Slack;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.Slack;

public class SlackStatusCommandTests
{
    [Theory]
    [InlineData("status invoice in_1", "invoice", "in_1")]
    [InlineData("  STATUS   Invoice   in_1 ", "invoice", "in_1")]
    [InlineData("status invoice/in_1", "invoice", "in_1")]
    [InlineData("status support_ticket:T-9", "support_ticket", "T-9")]
    public void A_status_request_names_the_record(string text, string type, string id) =>
        SlackStatusCommand.Parse(text).ShouldBe(new SlackStatusRequest(type, id));

    [Theory]
    [InlineData("status")]
    [InlineData("status invoice")]
    [InlineData("status a b c")]
    [InlineData("status invoice/")]
    public void A_status_without_one_record_gets_the_usage(string text) => SlackStatusCommand.Parse(text).ShouldBe(new SlackStatusRequest(null, null));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("help")]
    [InlineData("statusinvoice x")]
    public void Other_text_is_no_status_request(string? text) => SlackStatusCommand.Parse(text).ShouldBeNull();

    [Fact]
    public void The_answer_is_ephemeral_with_status_update_time_and_at_most_ten_escaped_fields()
    {
        var attributes = JsonSerializer.SerializeToElement(Enumerable.Range(1, 12).ToDictionary(i => $"f{i}", i => i == 1 ? "<@U1>" : "v"));

        var answer = SlackStatusCommand.Found("invoice", "in_1", "active", new DateTimeOffset(2026, 12, 7, 6, 5, 0, TimeSpan.Zero), attributes);

        answer["response_type"]!.GetValue<string>().ShouldBe("ephemeral");
        var fields = answer["blocks"]![1]!["fields"]!.AsArray().Select(f => f!["text"]!.GetValue<string>()).ToList();
        fields.Count.ShouldBe(SlackStatusCommand.MaxFields);
        fields.Take(3).ShouldBe(["*Status*\nactive", "*Updated*\n2026-12-07 06:05 UTC", "*F1*\n&lt;@U1&gt;"]);
    }

    [Fact]
    public void Slack_forms_are_decoded_with_plus_as_space_and_the_first_value_of_a_repeated_field() =>
        SlackForm.Parse(Encoding.UTF8.GetBytes("text=status+invoice%2Fin_1&command=%2Facme&text=again&flag")).ShouldBe(
            new Dictionary<string, string> { ["text"] = "status invoice/in_1", ["command"] = "/acme", ["flag"] = "" }, ignoreOrder: true);
}
