using System.Text;
using Integrations.Domain.Inbound;
using Integrations.Domain.Webhooks;
using Shouldly;
using static Integrations.Domain.UnitTests.Inbound.HmacSchemeTests;

namespace Integrations.Domain.UnitTests.Inbound;

public class OtherVerifierTests
{
    private static readonly DateTimeOffset StripeNow = DateTimeOffset.FromUnixTimeSeconds(1492774577);
    private const string StripeBody = """{"id":"evt_1","object":"event"}""";
    // openssl dgst -sha256 -hmac whsec_test_secret of "1492774577.{body}": Stripe publishes no vector.
    private const string StripeV1 = "654b43d3508ecadb3f8cefc4bc7d3d2bdc5ba9e03bf2c89b2d0657a8e24e4543";

    private static Verification Stripe(string header, string body = StripeBody, string secret = "whsec_test_secret", DateTimeOffset? now = null) =>
        new StripeVerifier(secret).Verify(Request(body, ("Stripe-Signature", header)), now ?? StripeNow);

    [Fact]
    public void Stripe_accepts_any_matching_v1_and_keys_replays_on_the_event_id()
    {
        var result = Stripe($"t=1492774577,v1={StripeV1},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39");
        result.Verified.ShouldBeTrue(result.Reason);
        result.ReplayKey.ShouldBe("evt_1");
        // During a rotation two v1 signatures come; one is enough.
        Stripe($"t=1492774577,v1={new string('0', 64)},v1={StripeV1}").Verified.ShouldBeTrue();
    }

    [Fact]
    public void Stripe_refuses_tampering_wrong_secrets_stale_timestamps_and_malformed_headers()
    {
        Stripe($"t=1492774577,v1={StripeV1}", body: StripeBody.Replace("evt_1", "evt_2")).Reason.ShouldBe(RejectionReasons.InvalidSignature);
        Stripe($"t=1492774577,v1={StripeV1}", secret: "whsec_other").Reason.ShouldBe(RejectionReasons.InvalidSignature);
        Stripe($"t=1492774578,v1={StripeV1}").Reason.ShouldBe(RejectionReasons.InvalidSignature);
        Stripe($"t=1492774577,v1={StripeV1}", now: StripeNow.AddSeconds(301)).Reason.ShouldBe(RejectionReasons.StaleTimestamp);
        Stripe($"v1={StripeV1}").Reason.ShouldBe(RejectionReasons.MalformedSignature);
        Stripe("t=1492774577,v0=abc").Reason.ShouldBe(RejectionReasons.MalformedSignature);
        new StripeVerifier("whsec_test_secret").Verify(Request(StripeBody), StripeNow).Reason.ShouldBe(RejectionReasons.MissingSignature);
    }

    // The Standard Webhooks specification's test vector.
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SpecBody = """{"test": 2432232314}""";
    private static readonly DateTimeOffset SpecNow = DateTimeOffset.FromUnixTimeSeconds(1614265330);

    private static Verification Standard(string body = SpecBody, string id = "msg_p5jXN8AQM9LWM0D4loKWxJek", string signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        string secret = SpecSecret, DateTimeOffset? now = null) =>
        new StandardWebhooksVerifier(secret).Verify(Request(body, ("webhook-id", id), ("webhook-timestamp", "1614265330"), ("webhook-signature", signature)), now ?? SpecNow);

    [Fact]
    public void Standard_Webhooks_accepts_the_spec_vector_and_refuses_changes()
    {
        var result = Standard();
        result.Verified.ShouldBeTrue(result.Reason);
        result.ReplayKey.ShouldBe("msg_p5jXN8AQM9LWM0D4loKWxJek");
        Standard(body: SpecBody.Replace("4}", "5}")).Reason.ShouldBe(RejectionReasons.InvalidSignature);
        Standard(id: "msg_other").Reason.ShouldBe(RejectionReasons.InvalidSignature);
        Standard(secret: WebhookSignature.NewSecret()).Reason.ShouldBe(RejectionReasons.InvalidSignature);
        Standard(now: SpecNow.AddMinutes(6)).Reason.ShouldBe(RejectionReasons.StaleTimestamp);
        Standard(signature: "v1,AAAA v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=").Verified.ShouldBeTrue();
        new StandardWebhooksVerifier(SpecSecret).Verify(Request(SpecBody, ("webhook-id", "m")), SpecNow).Reason.ShouldBe(RejectionReasons.MissingSignature);
    }

    [Fact]
    public void Graph_accepts_notifications_whose_every_clientState_matches()
    {
        var verifier = new GraphClientStateVerifier("state-7f3a");
        verifier.Verify(Request("""{"value":[{"subscriptionId":"s1","clientState":"state-7f3a"},{"subscriptionId":"s1","clientState":"state-7f3a"}]}"""), SpecNow)
            .Verified.ShouldBeTrue();
        verifier.Verify(Request("""{"value":[{"clientState":"state-7f3a"},{"clientState":"state-7f3b"}]}"""), SpecNow).Reason.ShouldBe(RejectionReasons.InvalidSignature);
        verifier.Verify(Request("""{"value":[{"subscriptionId":"s1"}]}"""), SpecNow).Reason.ShouldBe(RejectionReasons.MissingSignature);
        verifier.Verify(Request("""{"value":[]}"""), SpecNow).Reason.ShouldBe(RejectionReasons.MalformedBody);
        verifier.Verify(Request("not json"), SpecNow).Reason.ShouldBe(RejectionReasons.MalformedBody);
    }

    [Fact]
    public void Basic_auth_needs_both_the_user_and_the_password()
    {
        var verifier = new BasicAuthVerifier("mailjet", "p@ss:word");
        static string Basic(string credentials) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials));
        var accepted = verifier.Verify(Request("{}", ("Authorization", Basic("mailjet:p@ss:word"))), SpecNow);
        accepted.Verified.ShouldBeTrue();
        accepted.SignedHeaders.ShouldBeEmpty(); // the Authorization header is a credential: never kept
        verifier.Verify(Request("{}", ("Authorization", Basic("mailjet:p@ss:worD"))), SpecNow).Reason.ShouldBe(RejectionReasons.InvalidSignature);
        verifier.Verify(Request("{}", ("Authorization", Basic("mailje:p@ss:word"))), SpecNow).Reason.ShouldBe(RejectionReasons.InvalidSignature);
        verifier.Verify(Request("{}", ("Authorization", "Basic !!!")), SpecNow).Reason.ShouldBe(RejectionReasons.MalformedSignature);
        verifier.Verify(Request("{}", ("Authorization", Basic("no-colon"))), SpecNow).Reason.ShouldBe(RejectionReasons.MalformedSignature);
        verifier.Verify(Request("{}", ("Authorization", "Bearer x")), SpecNow).Reason.ShouldBe(RejectionReasons.MissingSignature);
    }
}
