using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Domain.Connectors.Jira;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.Jira;

public sealed class JiraFieldTypesTests
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Theory]
    [InlineData("string", "\"abc\"", "\"abc\"")]
    [InlineData("string", "42", "\"42\"")]
    [InlineData("string", "true", "\"true\"")]
    [InlineData("number", "42.5", "42.5")]
    [InlineData("number", "\"4200\"", "4200")]
    [InlineData("date", "\"2026-12-31T23:30:00+02:00\"", "\"2026-12-31\"")]
    [InlineData("date", "\"2026-12-31\"", "\"2026-12-31\"")]
    [InlineData("datetime", "\"2026-12-31T23:30:00+02:00\"", "\"2026-12-31T21:30:00.000+0000\"")]
    [InlineData("option", "\"High\"", "{\"value\":\"High\"}")]
    [InlineData("user", "\"5b10a2844c20165700ede21g\"", "{\"accountId\":\"5b10a2844c20165700ede21g\"}")]
    [InlineData("labels", "[\"a b\",\"c\",\"c\"]", "[\"a_b\",\"c\"]")]
    [InlineData("labels", "\"single\"", "[\"single\"]")]
    public void Our_values_become_jiras_shapes(string type, string ours, string jira) =>
        JiraFieldTypes.ToJira(type, JsonNode.Parse(ours))!.ToJsonString(Relaxed).ShouldBe(jira);

    [Theory]
    [InlineData("number", "\"four\"")]
    [InlineData("number", "{}")]
    [InlineData("date", "\"not a date\"")]
    [InlineData("date", "20261231")]
    [InlineData("option", "\"\"")]
    [InlineData("user", "[]")]
    [InlineData("labels", "[\" \"]")]
    [InlineData("string", "null")]
    [InlineData("money", "\"1\"")]
    public void A_value_that_does_not_convert_is_left_out(string type, string ours) =>
        JiraFieldTypes.ToJira(type, JsonNode.Parse(ours)).ShouldBeNull();

    [Fact]
    public void A_long_string_is_cut_to_jiras_single_line_limit() =>
        JiraFieldTypes.ToJira("string", JsonValue.Create(new string('x', 300)))!.GetValue<string>().Length.ShouldBe(JiraFieldTypes.MaxStringLength);

    [Theory]
    [InlineData("option", "{\"self\":\"…\",\"value\":\"High\",\"id\":\"10000\"}", "\"High\"")]
    [InlineData("user", "{\"accountId\":\"acc-1\",\"displayName\":\"Ann\"}", "\"acc-1\"")]
    [InlineData("number", "12", "12")]
    [InlineData("number", "\"12.5\"", "12.5")]
    [InlineData("date", "\"2026-12-31\"", "\"2026-12-31\"")]
    [InlineData("datetime", "\"2026-12-31T21:30:00.000+0000\"", "\"2026-12-31T21:30:00.0000000+00:00\"")]
    [InlineData("labels", "[\"a\",\"b\"]", "[\"a\",\"b\"]")]
    public void Jiras_values_become_ours(string type, string jira, string ours) =>
        JiraFieldTypes.FromJira(type, JsonDocument.Parse(jira).RootElement)!.ToJsonString(Relaxed).ShouldBe(ours);

    [Fact]
    public void A_round_trip_keeps_the_value()
    {
        foreach (var (type, value) in new[] { ("option", "\"Medium\""), ("user", "\"acc-9\""), ("number", "7"), ("date", "\"2027-01-02\"") })
        {
            var jira = JiraFieldTypes.ToJira(type, JsonNode.Parse(value))!;
            JiraFieldTypes.FromJira(type, JsonDocument.Parse(jira.ToJsonString()).RootElement)!.ToJsonString(Relaxed).ShouldBe(value, type);
        }
    }

    [Theory]
    [InlineData("date", "2026-12-31", "2026-12-31 00:00:00.0", "\"2026-12-31\"")]
    [InlineData("date", null, "2026-12-31 00:00:00.0", "\"2026-12-31\"")]
    [InlineData("datetime", "2026-12-31T23:30:00.000+0200", "31/Dec/26 9:30 PM", "\"2026-12-31T21:30:00.0000000+00:00\"")]
    [InlineData("number", null, "4200.5", "4200.5")]
    [InlineData("string", null, "Renamed", "\"Renamed\"")]
    [InlineData("option", "10021", "High", "\"High\"")]
    [InlineData("user", "557058:f58131cb", "Mia Krystof", "\"557058:f58131cb\"")]
    [InlineData("labels", null, "billing overdue", "[\"billing\",\"overdue\"]")]
    public void A_changelog_items_new_value_is_read_from_the_member_that_holds_it_for_the_type(string type, string? to, string? toString, string ours) =>
        JiraFieldTypes.FromChangelog(type, to, toString)!.ToJsonString(Relaxed).ShouldBe(ours);

    [Theory]
    [InlineData("number", null, "lots")]
    [InlineData("date", "someday", "someday")]
    [InlineData("user", null, "Mia Krystof")]
    [InlineData("option", "10021", null)]
    [InlineData("string", null, "")]
    [InlineData("labels", null, "")]
    [InlineData("geo", "1", "1")]
    public void A_changelog_value_that_does_not_convert_or_a_cleared_field_is_none(string type, string? to, string? toString) =>
        JiraFieldTypes.FromChangelog(type, to, toString).ShouldBeNull();
}
