using Integrations.Domain.Connections;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.Slack;

public class BodyErrorConventionTests
{
    private static readonly BodyErrorConvention Slack = new("ok", "error", ["internal_error", "ratelimited"], ["invalid_auth", "token_expired"]);

    [Theory]
    [InlineData("""{"ok":false,"error":"channel_not_found"}""", "channel_not_found", BodyErrorKind.Rejected)]
    [InlineData("""{"ok":false,"error":"internal_error","warning":"x"}""", "internal_error", BodyErrorKind.Retryable)]
    [InlineData("""{"error":"token_expired","ok":false}""", "token_expired", BodyErrorKind.Auth)]
    [InlineData("""{"response_metadata":{"messages":["a","b"]},"ok":false,"error":"missing_scope"}""", "missing_scope", BodyErrorKind.Rejected)]
    [InlineData("""{"ok":false}""", "unknown_error", BodyErrorKind.Rejected)]
    public void An_ok_false_answer_is_an_error_classified_by_its_code(string body, string code, BodyErrorKind kind) =>
        Slack.Read(body).ShouldBe(new BodyError(code, kind));

    [Theory]
    [InlineData("""{"ok":true,"channel":"C1","ts":"1.2"}""")]
    [InlineData("""{"ok":true,"message":{"text":"cut off in the midd""")]
    [InlineData("""{"channel":"C1"}""")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("")]
    [InlineData("""{"nested":{"ok":false,"error":"x"}}""")]
    public void Anything_else_is_no_error(string body) => Slack.Read(body).ShouldBeNull();

    [Fact]
    public void A_cut_answer_whose_flag_came_first_still_reads_as_the_error()
    {
        Slack.Read("""{"ok":false,"error":"is_archived","details":"aaaa""").ShouldBe(new BodyError("is_archived", BodyErrorKind.Rejected));
        Slack.Read("""{"ok":false,"error":"is_arch""").ShouldBe(new BodyError("unknown_error", BodyErrorKind.Rejected));
    }

    [Fact]
    public void A_long_code_is_cut_to_64_characters() =>
        Slack.Read($$"""{"ok":false,"error":"{{new string('e', 500)}}"}""")!.Code.Length.ShouldBe(64);
}
