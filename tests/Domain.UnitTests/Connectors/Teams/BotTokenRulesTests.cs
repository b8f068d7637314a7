using Integrations.Domain.Connectors.Teams;
using Shouldly;

namespace Integrations.Domain.UnitTests.Connectors.Teams;

public class BotTokenRulesTests
{
    private const string Bot = "bot-app-id";
    private const string ServiceUrl = "https://smba.trafficmanager.net/amer/";
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static BotTokenClaims Valid => new(BotTokenRules.Issuer, [Bot], Now.AddMinutes(-5), Now.AddMinutes(55), ServiceUrl, ["msteams"]);

    private static string? Refusal(BotTokenClaims claims, string? activityServiceUrl = ServiceUrl, string? channelId = "msteams") =>
        BotTokenRules.Refusal(claims, new BotActivityOrigin(activityServiceUrl, channelId), a => a == Bot, Now);

    [Fact]
    public void A_token_of_the_bot_connector_for_our_bot_passes() => Refusal(Valid).ShouldBeNull();

    [Fact]
    public void Another_issuer_is_refused() => Refusal(Valid with { Issuer = "https://sts.windows.net/x/" }).ShouldBe("wrong_issuer");

    [Fact]
    public void A_token_for_another_bot_or_none_is_refused()
    {
        Refusal(Valid with { Audiences = ["other-bot"] }).ShouldBe("wrong_audience");
        Refusal(Valid with { Audiences = [] }).ShouldBe("wrong_audience");
    }

    [Fact]
    public void One_of_several_audiences_may_be_ours() => Refusal(Valid with { Audiences = ["other-bot", Bot] }).ShouldBeNull();

    [Theory]
    [InlineData(-4, null)]
    [InlineData(-6, "expired")]
    public void Expiry_allows_five_minutes_of_skew(int expiredMinutesAgo, string? refusal) =>
        Refusal(Valid with { Expires = Now.AddMinutes(expiredMinutesAgo) }).ShouldBe(refusal);

    [Theory]
    [InlineData(4, null)]
    [InlineData(6, "not_yet_valid")]
    public void Not_before_allows_five_minutes_of_skew(int minutesAhead, string? refusal) =>
        Refusal(Valid with { NotBefore = Now.AddMinutes(minutesAhead) }).ShouldBe(refusal);

    [Fact]
    public void A_token_without_expiry_is_refused() => Refusal(Valid with { Expires = null }).ShouldBe("no_expiry");

    [Theory]
    [InlineData("https://smba.trafficmanager.net/amer", null)]
    [InlineData("https://attacker.example.com/amer/", "service_url_mismatch")]
    [InlineData(null, "service_url_mismatch")]
    public void The_service_url_claim_must_be_the_activitys(string? activityServiceUrl, string? refusal) =>
        Refusal(Valid, activityServiceUrl).ShouldBe(refusal);

    [Fact]
    public void A_token_without_a_service_url_claim_is_refused() => Refusal(Valid with { ServiceUrl = null }).ShouldBe("service_url_mismatch");

    [Theory]
    [InlineData("msteams", null)]
    [InlineData("MSTeams", null)]
    [InlineData("webchat", "channel_not_endorsed")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void The_signing_key_must_be_endorsed_for_the_activitys_channel(string? channelId, string? refusal) =>
        Refusal(Valid, channelId: channelId).ShouldBe(refusal);

    [Fact]
    public void A_key_that_lists_no_endorsements_endorses_no_channel() => Refusal(Valid with { Endorsements = [] }).ShouldBe("channel_not_endorsed");

    [Fact]
    public void A_key_endorsed_for_several_channels_signs_for_each() => Refusal(Valid with { Endorsements = ["webchat", "msteams"] }).ShouldBeNull();
}
