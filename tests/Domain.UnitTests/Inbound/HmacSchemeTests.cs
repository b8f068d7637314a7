using System.Text;
using Integrations.Domain.Inbound;
using Shouldly;

namespace Integrations.Domain.UnitTests.Inbound;

/// <summary>
/// The HMAC presets against the providers' published test vectors (Slack, GitHub) and, where a
/// provider publishes none (Shopify, HubSpot v3, the generic scheme), against values computed
/// independently with <c>openssl dgst -hmac</c>; then tampering, wrong secrets and stale timestamps.
/// </summary>
public class HmacSchemeTests
{
    // Slack's example in "Verifying requests from Slack".
    private const string SlackSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string SlackTimestamp = "1531420618";
    private const string SlackBody = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    private const string SlackSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private static readonly DateTimeOffset SlackNow = DateTimeOffset.FromUnixTimeSeconds(1531420618);

    internal static InboundRequest Request(string body, params (string Name, string Value)[] headers) =>
        new("POST", "https://in.example.com/inbound/x", headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase), Encoding.UTF8.GetBytes(body));

    private static Verification Slack(string body, string signature, string timestamp = SlackTimestamp, string secret = SlackSecret, DateTimeOffset? now = null) =>
        new HmacVerifier(ProviderSchemes.Slack, Encoding.UTF8.GetBytes(secret))
            .Verify(Request(body, ("X-Slack-Signature", signature), ("X-Slack-Request-Timestamp", timestamp)), now ?? SlackNow);

    [Fact]
    public void Slack_accepts_its_documented_example()
    {
        var result = Slack(SlackBody, SlackSignature);
        result.Verified.ShouldBeTrue(result.Reason);
        // A slash command has no event id: the signature is the replay key, so the same request twice is one request.
        result.ReplayKey.ShouldBe(SignatureMath.SignatureKey(SlackTimestamp, SlackSignature));
        result.SignedHeaders.ShouldBe(["X-Slack-Signature", "X-Slack-Request-Timestamp"]);
    }

    [Fact]
    public void Slack_refuses_a_tampered_body_a_wrong_secret_a_moved_timestamp_and_a_malformed_header()
    {
        Slack(SlackBody.Replace("text=&", "text=x&"), SlackSignature).Reason.ShouldBe(RejectionReasons.InvalidSignature);
        Slack(SlackBody, SlackSignature, secret: "8f742231b10e8888abcd99yyyzzz85a6").Reason.ShouldBe(RejectionReasons.InvalidSignature);
        Slack(SlackBody, SlackSignature, timestamp: "1531420619", now: SlackNow).Reason.ShouldBe(RejectionReasons.InvalidSignature);
        Slack(SlackBody, SlackSignature.Replace("v0=", "v1=")).Reason.ShouldBe(RejectionReasons.MalformedSignature);
        Slack(SlackBody, "v0=not-hex").Reason.ShouldBe(RejectionReasons.MalformedSignature);
        Slack(SlackBody, SlackSignature, timestamp: "-5").Reason.ShouldBe(RejectionReasons.MalformedSignature);
    }

    [Fact]
    public void Slack_refuses_a_request_older_or_newer_than_five_minutes()
    {
        Slack(SlackBody, SlackSignature, now: SlackNow.AddMinutes(5)).Verified.ShouldBeTrue();
        Slack(SlackBody, SlackSignature, now: SlackNow.AddMinutes(5).AddSeconds(1)).Reason.ShouldBe(RejectionReasons.StaleTimestamp);
        Slack(SlackBody, SlackSignature, now: SlackNow.AddMinutes(-5).AddSeconds(-1)).Reason.ShouldBe(RejectionReasons.StaleTimestamp);
    }

    [Fact]
    public void Missing_headers_are_missing_signatures()
    {
        new HmacVerifier(ProviderSchemes.Slack, [1]).Verify(Request(SlackBody), SlackNow).Reason.ShouldBe(RejectionReasons.MissingSignature);
        new HmacVerifier(ProviderSchemes.Slack, [1]).Verify(Request(SlackBody, ("X-Slack-Signature", SlackSignature)), SlackNow)
            .Reason.ShouldBe(RejectionReasons.MissingSignature);
    }

    [Fact]
    public void GitHub_accepts_its_documented_example_and_keys_replays_on_the_delivery_id()
    {
        // GitHub's "Validating webhook deliveries": secret "It's a Secret to Everybody", payload "Hello, World!".
        var verifier = new HmacVerifier(ProviderSchemes.GitHub, Encoding.UTF8.GetBytes("It's a Secret to Everybody"));
        const string signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        var result = verifier.Verify(Request("Hello, World!", ("X-Hub-Signature-256", signature), ("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")), DateTimeOffset.UnixEpoch);
        result.Verified.ShouldBeTrue(result.Reason);
        result.ReplayKey.ShouldBe("72d3162e-cc78-11e3-81ab-4c9367dc0958");

        verifier.Verify(Request("Hello, World?", ("X-Hub-Signature-256", signature)), DateTimeOffset.UnixEpoch).Reason.ShouldBe(RejectionReasons.InvalidSignature);
        new HmacVerifier(ProviderSchemes.GitHub, Encoding.UTF8.GetBytes("It's a Secret to Everybody!"))
            .Verify(Request("Hello, World!", ("X-Hub-Signature-256", signature)), DateTimeOffset.UnixEpoch).Reason.ShouldBe(RejectionReasons.InvalidSignature);
        // The SHA-1 header alone is not accepted: the scheme reads X-Hub-Signature-256 only.
        verifier.Verify(Request("Hello, World!", ("X-Hub-Signature", "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59")), DateTimeOffset.UnixEpoch)
            .Reason.ShouldBe(RejectionReasons.MissingSignature);
    }

    [Fact]
    public void Shopify_accepts_a_base64_body_hmac()
    {
        var verifier = new HmacVerifier(ProviderSchemes.Shopify, Encoding.UTF8.GetBytes("shpss_secret"));
        const string body = """{"id":820982911946154508}""";
        var result = verifier.Verify(Request(body, ("X-Shopify-Hmac-Sha256", "jqbalbO3Z8mDmrF2/+wzM3KYvbgqzVBF969vgiIy80I="), ("X-Shopify-Webhook-Id", "b54557e4")), DateTimeOffset.UnixEpoch);
        result.Verified.ShouldBeTrue(result.Reason);
        result.ReplayKey.ShouldBe("b54557e4");
        verifier.Verify(Request(body + " ", ("X-Shopify-Hmac-Sha256", "jqbalbO3Z8mDmrF2/+wzM3KYvbgqzVBF969vgiIy80I=")), DateTimeOffset.UnixEpoch)
            .Reason.ShouldBe(RejectionReasons.InvalidSignature);
    }

    [Fact]
    public void HubSpot_v3_signs_method_decoded_uri_body_and_millisecond_timestamp_for_five_minutes()
    {
        var verifier = new HubSpotVerifier(Encoding.UTF8.GetBytes("yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"));
        const string body = """[{"eventId":1,"portalId":62515}]""";
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1564113600000);
        InboundRequest Sent(string url, string b = body) => new("POST", url,
            new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["X-HubSpot-Signature-v3"] = "bgmh4l+knsryEy0a/KYSFAu/+dZ6QR+saI03DWyIx7w=",
                ["X-HubSpot-Request-Timestamp"] = "1564113600000",
            }, Encoding.UTF8.GetBytes(b));

        // The URI arrives with ":" encoded; HubSpot signed it decoded.
        verifier.Verify(Sent("https://www.example.com/webhook_uri?x=a%3Ab"), at).Verified.ShouldBeTrue();
        verifier.Verify(Sent("https://www.example.com/webhook_uri?x=a%3Ab"), at.AddMinutes(5).AddMilliseconds(1)).Reason.ShouldBe(RejectionReasons.StaleTimestamp);
        verifier.Verify(Sent("https://www.example.com/other_uri?x=a%3Ab"), at).Reason.ShouldBe(RejectionReasons.InvalidSignature);
        verifier.Verify(Sent("https://www.example.com/webhook_uri?x=a%3Ab", body.Replace("62515", "62516")), at).Reason.ShouldBe(RejectionReasons.InvalidSignature);
        verifier.Verify(Sent("https://www.example.com/webhook_uri?x=a%3Ab") with { Method = "PUT" }, at).Reason.ShouldBe(RejectionReasons.InvalidSignature);
    }

    [Fact]
    public void A_generic_scheme_supports_sha512_base64_with_a_template_and_sha1_hex_with_a_prefix()
    {
        var withTimestamp = new HmacScheme("X-Signature", HmacAlgorithm.Sha512, SignatureEncoding.Base64, "", "{timestamp}.{body}", "X-Timestamp");
        withTimestamp.Problem().ShouldBeNull();
        var request = Request("""{"a":1}""", ("X-Signature", "cyzcfojtIR/uOo7+v71nLSiMw7otYQXUTspFntN3Lhu6h0rVi9A/D4DGna3EV1f2DRcAiaOvHUmRkrBueCiSkA=="), ("X-Timestamp", "1700000000"));
        new HmacVerifier(withTimestamp, Encoding.UTF8.GetBytes("src_secret")).Verify(request, DateTimeOffset.FromUnixTimeSeconds(1700000010)).Verified.ShouldBeTrue();
        new HmacVerifier(withTimestamp, Encoding.UTF8.GetBytes("src_secret")).Verify(request, DateTimeOffset.FromUnixTimeSeconds(1700000301))
            .Reason.ShouldBe(RejectionReasons.StaleTimestamp);

        var sha1 = new HmacScheme("X-Sig", HmacAlgorithm.Sha1, SignatureEncoding.Hex, "sha1=", "{body}");
        new HmacVerifier(sha1, Encoding.UTF8.GetBytes("src_secret"))
            .Verify(Request("""{"a":1}""", ("X-Sig", "sha1=8dd80bfb5c36435be7b99aa6a6f1e174468d6647")), DateTimeOffset.UnixEpoch).Verified.ShouldBeTrue();
        // Upper-case hex is the same signature.
        new HmacVerifier(sha1, Encoding.UTF8.GetBytes("src_secret"))
            .Verify(Request("""{"a":1}""", ("X-Sig", "sha1=8DD80BFB5C36435BE7B99AA6A6F1E174468D6647")), DateTimeOffset.UnixEpoch).Verified.ShouldBeTrue();
    }

    [Theory]
    [InlineData("{timestamp}", "must contain {body}")]
    [InlineData("{body}{nonce}", "knows only")]
    public void A_template_without_the_body_or_with_unknown_placeholders_is_refused(string template, string problem) =>
        new HmacScheme("X-Sig", HmacAlgorithm.Sha256, SignatureEncoding.Hex, "", template).Problem().ShouldNotBeNull().ShouldContain(problem);

    [Fact]
    public void A_timestamp_in_the_template_needs_a_timestamp_header() =>
        new HmacScheme("X-Sig", HmacAlgorithm.Sha256, SignatureEncoding.Hex, "", "{timestamp}.{body}").Problem().ShouldNotBeNull();
}
