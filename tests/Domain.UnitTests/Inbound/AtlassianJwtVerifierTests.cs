using System.Text;
using Integrations.Domain.Inbound;
using Shouldly;
using static Integrations.Domain.UnitTests.Inbound.HmacSchemeTests;

namespace Integrations.Domain.UnitTests.Inbound;

/// <summary>
/// Atlassian's JWT on dynamic-webhook deliveries to OAuth apps (HS256 under the client secret). The tokens were
/// made independently: jwt.io's published example, and one signed with
/// <c>printf '%s' "$H.$P" | openssl dgst -sha256 -hmac jira-client-secret -binary</c> (base64url).
/// </summary>
public class AtlassianJwtVerifierTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-07T05:58:00Z");
    private const string Secret = "jira-client-secret";
    private const string Header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
    private const string Claims = "eyJpc3MiOiJqaXJhLWFwcCIsImV4cCI6MTc5NjYyMzIwMH0"; // {"iss":"jira-app","exp":1796623200} = 2026-12-07T06:00:00Z
    private const string Signature = "SaqpUPFb44y_aUElwo-egelYMKN8oOVdBw_uzmjCldI";
    private const string Token = Header + "." + Claims + "." + Signature;

    private static Verification Verify(string? authorization, string secret = Secret, DateTimeOffset? now = null)
    {
        var headers = authorization is null ? Array.Empty<(string, string)>() : [("Authorization", authorization)];
        return new AtlassianJwtVerifier(Encoding.UTF8.GetBytes(secret)).Verify(Request("{}", headers), now ?? Now);
    }

    [Fact]
    public void A_token_signed_with_the_client_secret_and_not_expired_is_accepted_with_its_signature_as_replay_key()
    {
        var result = Verify("Bearer " + Token);
        result.Verified.ShouldBeTrue(result.Reason);
        result.ReplayKey.ShouldBe(Signature);
        result.SignedHeaders.ShouldBe(["Authorization"]);
    }

    [Fact]
    public void Jwt_ios_published_example_verifies_without_exp()
    {
        const string example = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        Verify("Bearer " + example, "your-256-bit-secret").Verified.ShouldBeTrue();
        Verify("Bearer " + example).Reason.ShouldBe(RejectionReasons.InvalidSignature);
    }

    [Fact]
    public void Another_secret_is_refused() => Verify("Bearer " + Token, "not-the-secret").Reason.ShouldBe(RejectionReasons.InvalidSignature);

    [Fact]
    public void Tampered_claims_or_signature_are_refused()
    {
        var claims = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"iss":"jira-app","exp":1896623200}""")).TrimEnd('=');
        Verify($"Bearer {Header}.{claims}.{Signature}").Reason.ShouldBe(RejectionReasons.InvalidSignature);
        Verify($"Bearer {Header}.{Claims}.{Signature[..^2]}AA").Reason.ShouldBe(RejectionReasons.InvalidSignature);
        Verify($"Bearer {Header}.{Claims}.{Signature[..10]}").Reason.ShouldBe(RejectionReasons.InvalidSignature);
    }

    [Theory]
    [InlineData("""{"alg":"none","typ":"JWT"}""")]
    [InlineData("""{"alg":"HS512","typ":"JWT"}""")]
    [InlineData("""{"alg":"RS256","typ":"JWT"}""")]
    [InlineData("""{"typ":"JWT"}""")]
    public void Any_algorithm_but_hs256_is_refused_even_with_the_right_signature_bytes(string header)
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(header)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Verify($"Bearer {encoded}.{Claims}.{Signature}").Reason.ShouldBe(RejectionReasons.InvalidSignature);
        Verify($"Bearer {encoded}.{Claims}.").Reason.ShouldBe(RejectionReasons.MalformedSignature);
    }

    [Fact]
    public void An_expired_token_is_refused_after_a_minute_of_skew()
    {
        Verify("Bearer " + Token, now: DateTimeOffset.Parse("2026-12-07T06:00:59Z")).Verified.ShouldBeTrue();
        Verify("Bearer " + Token, now: DateTimeOffset.Parse("2026-12-07T06:01:01Z")).Reason.ShouldBe(RejectionReasons.StaleTimestamp);
    }

    [Theory]
    [InlineData(null, RejectionReasons.MissingSignature)]
    [InlineData("Basic dXNlcjpwYXNz", RejectionReasons.MissingSignature)]
    [InlineData("Bearer ", RejectionReasons.MalformedSignature)]
    [InlineData("Bearer a.b", RejectionReasons.MalformedSignature)]
    [InlineData("Bearer !!!.@@@.###", RejectionReasons.MalformedSignature)]
    [InlineData("Bearer " + Header + ".bm90IGpzb24." + Signature, RejectionReasons.MalformedSignature)]
    public void Missing_or_malformed_tokens_are_refused(string? authorization, string reason) => Verify(authorization).Reason.ShouldBe(reason);
}
