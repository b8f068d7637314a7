using Integrations.Domain.Inbound;
using Shouldly;
using static Integrations.Domain.UnitTests.Inbound.HmacSchemeTests;

namespace Integrations.Domain.UnitTests.Inbound;

/// <summary>
/// Jira and Exact Online publish no test vectors: the signatures below were computed independently
/// with <c>printf '%s' BODY | openssl dgst -sha256 -hmac SECRET</c> (upper-cased for Exact).
/// </summary>
public class JiraAndExactVerifierTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-07T06:00:00Z");

    private const string JiraBody = """{"webhookEvent":"jira:issue_updated","timestamp":1765094400000,"issue":{"id":"10001","key":"SUP-1"}}""";
    private const string JiraSignature = "sha256=473c63e527767d27ad8bd875cfdc466338187781658d792dfed98f6fc55284e9";

    private static Verification Jira(string body = JiraBody, string? signature = JiraSignature, string secret = "jira_test_secret")
    {
        var headers = new List<(string, string)> { ("X-Atlassian-Webhook-Identifier", "wh-delivery-1") };
        if (signature is not null) headers.Add(("X-Hub-Signature", signature));
        return InboundVerifiers.ForProvider(InboundVerifiers.Jira, secret).Verify(Request(body, [.. headers]), Now);
    }

    [Fact]
    public void Jira_accepts_a_body_signed_with_the_webhook_secret_and_keys_replays_on_the_delivery_identifier()
    {
        var result = Jira();
        result.Verified.ShouldBeTrue(result.Reason);
        result.ReplayKey.ShouldBe("wh-delivery-1");
        Jira(signature: JiraSignature.ToUpperInvariant().Replace("SHA256=", "sha256=")).Verified.ShouldBeTrue();
    }

    [Fact]
    public void Jira_refuses_tampering_a_wrong_secret_a_missing_or_foreign_signature()
    {
        Jira(body: JiraBody.Replace("SUP-1", "SUP-2")).Reason.ShouldBe(RejectionReasons.InvalidSignature);
        Jira(secret: "another_secret").Reason.ShouldBe(RejectionReasons.InvalidSignature);
        Jira(signature: null).Reason.ShouldBe(RejectionReasons.MissingSignature);
        // GitHub's SHA-1 form, or the bare digest without its method, is not Jira's.
        Jira(signature: "sha1=" + JiraSignature[7..]).Verified.ShouldBeFalse();
        Jira(signature: JiraSignature[7..]).Verified.ShouldBeFalse();
    }

    // Exact escapes the quotes of the endpoint's OData key as \u0027: the signature is over those bytes.
    private const string ExactContent = """{"Topic":"Accounts","ClientId":"0fd4a0ea-2f0c-4b8f-9d4b-5d7d0c3c1a11","Division":123456,"Key":"8a4e3d8c-6c1f-4f8e-9a52-1b1d8f7a0c3e","ExactOnlineEndpoint":"https://start.exactonline.nl/api/v1/123456/crm/Accounts(guid\u00278a4e3d8c-6c1f-4f8e-9a52-1b1d8f7a0c3e\u0027)","EventAction":"Update"}""";
    private const string ExactHash = "6C0BAB69875473AE298C4B844F94F6017F3200DE95459659254F0589B5E65534";

    private static Verification Exact(string body, string secret = "exact_webhook_secret") =>
        InboundVerifiers.ForProvider(InboundVerifiers.ExactOnline, secret).Verify(Request(body), Now);

    private static string ExactBody(string content = ExactContent, string hash = ExactHash) => $$"""{"Content":{{content}},"HashCode":"{{hash}}"}""";

    [Fact]
    public void Exact_accepts_a_notification_whose_hash_code_signs_its_content_as_sent()
    {
        var result = Exact(ExactBody());
        result.Verified.ShouldBeTrue(result.Reason);
        // No event id and no timestamp: nothing to key replays on (a replay only makes the connector read the record again).
        result.ReplayKey.ShouldBeNull();
        Exact(ExactBody(hash: ExactHash.ToLowerInvariant())).Verified.ShouldBeTrue();
    }

    [Fact]
    public void Exact_refuses_tampered_content_a_wrong_secret_a_reserialised_body_and_malformed_notifications()
    {
        Exact(ExactBody(content: ExactContent.Replace("Update", "Delete"))).Reason.ShouldBe(RejectionReasons.InvalidSignature);
        Exact(ExactBody(), secret: "another_secret").Reason.ShouldBe(RejectionReasons.InvalidSignature);
        // The same content with the escapes decoded is other bytes: the hash was over what Exact sent.
        Exact(ExactBody(content: ExactContent.Replace("\\u0027", "'"))).Reason.ShouldBe(RejectionReasons.InvalidSignature);
        Exact($$"""{"Content":{{ExactContent}}}""").Reason.ShouldBe(RejectionReasons.MissingSignature);
        Exact(ExactBody(hash: "not-hex")).Reason.ShouldBe(RejectionReasons.MalformedSignature);
        Exact(ExactBody(hash: ExactHash[..32])).Reason.ShouldBe(RejectionReasons.MalformedSignature);
        Exact($$"""{"HashCode":"{{ExactHash}}"}""").Reason.ShouldBe(RejectionReasons.MalformedBody);
        Exact("""{"Content":"text","HashCode":"00"}""").Reason.ShouldBe(RejectionReasons.MalformedBody);
        Exact("not json").Reason.ShouldBe(RejectionReasons.MalformedBody);
    }
}
