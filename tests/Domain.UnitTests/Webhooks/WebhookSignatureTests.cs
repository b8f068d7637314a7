using System.Text;
using Integrations.Domain.Webhooks;
using Shouldly;

namespace Integrations.Domain.UnitTests.Webhooks;

public class WebhookSignatureTests
{
    // The test vector of the Standard Webhooks specification (and of the svix libraries).
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long SpecTimestamp = 1614265330;
    private static readonly byte[] SpecBody = Encoding.UTF8.GetBytes("""{"test": 2432232314}""");
    private const string SpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static readonly DateTimeOffset SpecTime = DateTimeOffset.FromUnixTimeSeconds(SpecTimestamp);

    [Fact]
    public void Signing_matches_the_Standard_Webhooks_test_vector()
    {
        WebhookSignature.Sign(SpecId, SpecTimestamp, SpecBody, WebhookSignature.SecretKey(SpecSecret)).ShouldBe(SpecSignature);
    }

    [Fact]
    public void The_test_vector_verifies_and_any_change_breaks_it()
    {
        var key = WebhookSignature.SecretKey(SpecSecret);
        var tolerance = TimeSpan.FromMinutes(5);
        WebhookSignature.Verify(SpecId, SpecTimestamp, SpecBody, SpecSignature, key, SpecTime, tolerance).ShouldBeTrue();

        WebhookSignature.Verify("msg_other", SpecTimestamp, SpecBody, SpecSignature, key, SpecTime, tolerance).ShouldBeFalse();
        WebhookSignature.Verify(SpecId, SpecTimestamp + 1, SpecBody, SpecSignature, key, SpecTime, tolerance).ShouldBeFalse();
        WebhookSignature.Verify(SpecId, SpecTimestamp, Encoding.UTF8.GetBytes("""{"test": 2432232315}"""), SpecSignature, key, SpecTime, tolerance).ShouldBeFalse();
        WebhookSignature.Verify(SpecId, SpecTimestamp, SpecBody, SpecSignature, WebhookSignature.SecretKey(WebhookSignature.NewSecret()), SpecTime, tolerance).ShouldBeFalse();
    }

    [Fact]
    public void A_timestamp_outside_the_tolerance_fails_even_with_a_good_signature()
    {
        var key = WebhookSignature.SecretKey(SpecSecret);
        WebhookSignature.Verify(SpecId, SpecTimestamp, SpecBody, SpecSignature, key, SpecTime.AddMinutes(6), TimeSpan.FromMinutes(5)).ShouldBeFalse();
        WebhookSignature.Verify(SpecId, SpecTimestamp, SpecBody, SpecSignature, key, SpecTime.AddMinutes(-6), TimeSpan.FromMinutes(5)).ShouldBeFalse();
    }

    [Fact]
    public void During_a_rotation_the_header_carries_one_signature_per_secret_and_either_verifies()
    {
        var oldKey = WebhookSignature.SecretKey(SpecSecret);
        var newKey = WebhookSignature.SecretKey(WebhookSignature.NewSecret());

        var header = WebhookSignature.Header(SpecId, SpecTimestamp, SpecBody, [newKey, oldKey]);

        header.Split(' ').Length.ShouldBe(2);
        header.ShouldEndWith(SpecSignature);
        WebhookSignature.Verify(SpecId, SpecTimestamp, SpecBody, header, oldKey, SpecTime, TimeSpan.FromMinutes(5)).ShouldBeTrue();
        WebhookSignature.Verify(SpecId, SpecTimestamp, SpecBody, header, newKey, SpecTime, TimeSpan.FromMinutes(5)).ShouldBeTrue();
    }

    [Fact]
    public void New_secrets_are_whsec_and_32_random_bytes()
    {
        var secret = WebhookSignature.NewSecret();
        secret.ShouldStartWith("whsec_");
        Convert.FromBase64String(secret["whsec_".Length..]).Length.ShouldBe(32);
        WebhookSignature.NewSecret().ShouldNotBe(secret);
        WebhookSignature.SecretKey(secret).ShouldBe(WebhookSignature.SecretKey(secret["whsec_".Length..]), "the prefix is optional when reading a key");
    }
}
