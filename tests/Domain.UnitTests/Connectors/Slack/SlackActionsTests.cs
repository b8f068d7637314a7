using System.Text.Json;
using Integrations.Domain.Connectors;
using Integrations.Domain.Connectors.Slack;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.Slack;

public class SlackActionsTests
{
    private static readonly TemplateEvent Event = new(Guid.NewGuid(), "invoice.paid", Guid.NewGuid(), DateTimeOffset.UnixEpoch);

    private static SlackButtons Buttons(params string[] actions) => new(actions, "invoice", JsonTemplate.Parse("\"{{ data.invoice_id }}\""));

    [Fact]
    public void Buttons_carry_the_action_and_the_record_and_round_trip_through_a_click()
    {
        var buttons = SlackActions.Buttons(Buttons("acknowledge", "assign_to_me"), Event, JsonDocument.Parse("""{"invoice_id":"in_\"1"}""").RootElement).ToList();

        buttons.Select(b => b["action_id"]!.GetValue<string>()).ShouldBe(["integrations.acknowledge", "integrations.assign_to_me"]);
        buttons[0]["value"]!.GetValue<string>().ShouldBe("""{"type":"invoice","id":"in_\"1"}""");
        var payload = JsonSerializer.SerializeToElement(new
        {
            type = "block_actions", user = new { id = "U1", username = "grace" }, channel = new { id = "C1" }, container = new { message_ts = "9.9" },
            actions = buttons.Select(b => new { action_id = b["action_id"]!.GetValue<string>(), value = b["value"]!.GetValue<string>(), action_ts = "1.5" }),
        });

        SlackActions.Clicks(payload).ShouldBe([
            new SlackButtonClick("acknowledge", "invoice.acknowledge", "invoice", "in_\"1", "U1", "grace", "C1", "9.9", "1.5"),
            new SlackButtonClick("assign_to_me", "invoice.assign", "invoice", "in_\"1", "U1", "grace", "C1", "9.9", "1.5"),
        ]);
    }

    [Fact]
    public void No_buttons_for_a_record_without_an_id() =>
        SlackActions.Buttons(Buttons("acknowledge"), Event, JsonDocument.Parse("{}").RootElement).ShouldBeEmpty();

    [Theory]
    [InlineData("""{"type":"view_submission","user":{"id":"U1"},"actions":[{"action_id":"integrations.acknowledge","value":"{\"type\":\"a\",\"id\":\"1\"}","action_ts":"1"}]}""")]
    [InlineData("""{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"open_in_app","value":"x","action_ts":"1"}]}""")]
    [InlineData("""{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"integrations.delete_all","value":"{\"type\":\"a\",\"id\":\"1\"}","action_ts":"1"}]}""")]
    [InlineData("""{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"integrations.acknowledge","value":"not json","action_ts":"1"}]}""")]
    [InlineData("""{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"integrations.acknowledge","value":"{\"type\":\"a\"}","action_ts":"1"}]}""")]
    [InlineData("""{"type":"block_actions","actions":[{"action_id":"integrations.acknowledge","value":"{\"type\":\"a\",\"id\":\"1\"}","action_ts":"1"}]}""")]
    [InlineData("""[1]""")]
    public void Other_payloads_other_buttons_and_values_we_did_not_write_are_no_clicks(string payload) =>
        SlackActions.Clicks(JsonDocument.Parse(payload).RootElement).ShouldBeEmpty();
}
