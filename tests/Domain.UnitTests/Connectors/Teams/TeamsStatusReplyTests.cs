using System.Text.Json;
using Integrations.Domain.Connectors.Teams;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.Teams;

public class TeamsStatusReplyTests
{
    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    [Theory]
    [InlineData("""{"type":"message","text":"<at>Ops bot</at> status invoice in_1"}""", "status invoice in_1")]
    [InlineData("""{"type":"message","text":"status <AT>x</AT> invoice"}""", "status   invoice")]
    [InlineData("""{"type":"conversationUpdate","text":"status invoice in_1"}""", null)]
    [InlineData("""{"type":"message"}""", null)]
    public void The_command_is_a_messages_text_without_its_mentions(string activity, string? text) =>
        TeamsStatusReply.CommandText(Json(activity)).ShouldBe(text);

    [Fact]
    public void The_found_card_has_the_status_the_update_time_and_the_attributes_escaped()
    {
        var card = TeamsStatusReply.Found("invoice", "in_1", "paid", new DateTimeOffset(2026, 12, 7, 9, 30, 0, TimeSpan.Zero), Json("""{"customer":"[x](y)","n":3,"o":{}}"""));

        card["version"]!.GetValue<string>().ShouldBe("1.5");
        card["body"]![0]!["text"]!.GetValue<string>().ShouldBe("Invoice in\\_1");
        card["body"]![1]!["facts"]!.AsArray().Select(f => $"{f!["title"]}={f["value"]}").ShouldBe(["Status=paid", "Updated=2026-12-07 09:30 UTC", "Customer=\\[x\\](y)", "N=3"]);
    }
}
