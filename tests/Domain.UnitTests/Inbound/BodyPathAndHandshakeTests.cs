using System.Text;
using Integrations.Domain.Inbound;
using Shouldly;

namespace Integrations.Domain.UnitTests.Inbound;

public class BodyPathAndHandshakeTests
{
    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    [Theory]
    [InlineData("""{"team_id":"T1"}""", "team_id", "T1")]
    [InlineData("""[{"portalId":62515,"eventId":1}]""", "0.portalId", "62515")]
    [InlineData("""{"value":[{"tenantId":"tid"}]}""", "value.0.tenantId", "tid")]
    [InlineData("""{"a":{"b":true}}""", "a.b", null)]
    [InlineData("""{"a":1}""", "b", null)]
    [InlineData("""[1]""", "5", null)]
    [InlineData("token=x&team_id=T1DC2JH3J&text=a+b", "team_id", "T1DC2JH3J")]
    [InlineData("token=x&response_url=https%3A%2F%2Fhooks.slack.com", "response_url", "https://hooks.slack.com")]
    [InlineData("token=x", "team.id", null)]
    public void Account_ids_are_read_from_json_paths_and_form_fields(string body, string path, string? expected) =>
        BodyPath.String(B(body), path).ShouldBe(expected);

    [Fact]
    public void Only_a_url_verification_body_is_a_Slack_challenge()
    {
        Handshakes.SlackChallenge(B("""{"token":"t","challenge":"abc","type":"url_verification"}""")).ShouldBe("abc");
        Handshakes.SlackChallenge(B("""{"challenge":"abc","type":"event_callback"}""")).ShouldBeNull();
        Handshakes.SlackChallenge(B("""{"type":"url_verification","challenge":5}""")).ShouldBeNull();
        Handshakes.SlackChallenge(B("type=url_verification&challenge=abc")).ShouldBeNull();
    }

    [Fact]
    public void Every_provider_kind_builds_a_verifier_and_an_unknown_one_is_refused()
    {
        foreach (var kind in InboundVerifiers.ProviderKinds)
            InboundVerifiers.ForProvider(kind, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "user").ShouldNotBeNull();
        Should.Throw<ArgumentOutOfRangeException>(() => InboundVerifiers.ForProvider("pgp", "s"));
    }
}
