using System.Text;
using Integrations.Domain.Common;
using Integrations.Domain.Inbound;
using Shouldly;

namespace Integrations.Domain.UnitTests.Inbound;

public class InboundSourceDeciderTests
{
    private static readonly Guid Tenant = Guid.Parse("0193a5f2-0000-7000-8000-000000000001");
    private static readonly Guid Source = Guid.Parse("0193a5f2-0000-7000-8000-000000000002");
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private static readonly SourceVerifierSpec Hmac = new("hmac", "X-Signature", "sha256", "hex", "sha256=", "{timestamp}.{body}", "X-Timestamp", 300);

    [Fact]
    public void A_source_is_created_once_and_deleted_once()
    {
        var created = InboundSourceDecider.Decide(new CreateInboundSource(Tenant, Source, "  Billing  ", Hmac, Now), InboundSourceState.None);
        created.ShouldBe([new InboundSourceCreated(Tenant, Source, "Billing", Hmac, Now)]);
        var state = InboundSourceDecider.Decider.Fold(created);

        Should.Throw<DomainException>(() => InboundSourceDecider.Decide(new CreateInboundSource(Tenant, Source, "Again", Hmac, Now), state)).Code.ShouldBe("inbound_source_exists");
        var deleted = InboundSourceDecider.Decide(new DeleteInboundSource(Now.AddHours(1)), state);
        deleted.ShouldBe([new InboundSourceDeleted(Tenant, Source, Now.AddHours(1))]);
        Should.Throw<DomainException>(() => InboundSourceDecider.Decide(new DeleteInboundSource(Now), InboundSourceDecider.Decider.Fold([.. created, .. deleted])))
            .Code.ShouldBe("inbound_source_not_found");
        Should.Throw<DomainException>(() => InboundSourceDecider.Decide(new DeleteInboundSource(Now), InboundSourceState.None)).Code.ShouldBe("inbound_source_not_found");
    }

    [Fact]
    public void A_silence_alert_is_set_changed_switched_off_and_refused_out_of_range()
    {
        var created = InboundSourceDecider.Decide(new CreateInboundSource(Tenant, Source, "Billing", Hmac, Now, 3600), InboundSourceState.None);
        created.ShouldBe([new InboundSourceCreated(Tenant, Source, "Billing", Hmac, Now, 3600)]);
        var state = InboundSourceDecider.Decider.Fold(created);

        InboundSourceDecider.Decide(new SetInboundSourceSilenceAlert(3600, Now), state).ShouldBeEmpty();
        var changed = InboundSourceDecider.Decide(new SetInboundSourceSilenceAlert(86400, Now.AddHours(1)), state);
        changed.ShouldBe([new InboundSourceSilenceAlertSet(Tenant, Source, 86400, Now.AddHours(1))]);
        state = InboundSourceDecider.Decider.Fold([.. created, .. changed]);
        InboundSourceDecider.Decide(new SetInboundSourceSilenceAlert(null, Now), state).ShouldBe([new InboundSourceSilenceAlertSet(Tenant, Source, null, Now)]);

        foreach (var seconds in new[] { 299, SilenceAlert.MaxSeconds + 1, 0, -5 })
        {
            Should.Throw<DomainException>(() => InboundSourceDecider.Decide(new SetInboundSourceSilenceAlert(seconds, Now), state)).Code.ShouldBe("invalid_value");
            Should.Throw<DomainException>(() => InboundSourceDecider.Decide(new CreateInboundSource(Tenant, Source, "x", Hmac, Now, seconds), InboundSourceState.None))
                .Code.ShouldBe("invalid_value");
        }
        Should.Throw<DomainException>(() => InboundSourceDecider.Decide(new SetInboundSourceSilenceAlert(300, Now), InboundSourceState.None)).Code.ShouldBe("inbound_source_not_found");
    }

    [Fact]
    public void An_unusable_verifier_is_refused()
    {
        Should.Throw<DomainException>(() => InboundSourceDecider.Decide(
            new CreateInboundSource(Tenant, Source, "x", Hmac with { Algorithm = "md5" }, Now), InboundSourceState.None)).Code.ShouldBe("invalid_value");
        (Hmac with { Template = "{body}{secret}" }).Problems().Single().Field.ShouldBe("verifier.template");
        (Hmac with { TimestampHeader = null }).Problems().Single().Field.ShouldBe("verifier.template");
        (Hmac with { Header = "X Sig" }).Problems().Single().Field.ShouldBe("verifier.header");
        new SourceVerifierSpec("basic").Problems().Single().Field.ShouldBe("verifier.username");
        new SourceVerifierSpec("rsa").Problems().Single().Field.ShouldBe("verifier.kind");
        new SourceVerifierSpec("standard_webhooks").Problems().ShouldBeEmpty();
        Hmac.Problems().ShouldBeEmpty();
    }

    [Fact]
    public void A_spec_builds_the_verifier_its_sender_signs_for()
    {
        // openssl dgst -sha512 -hmac src_secret of "1700000000.{"a":1}", base64.
        var spec = new SourceVerifierSpec("hmac", "X-Signature", "sha512", "base64", "", "{timestamp}.{body}", "X-Timestamp", 60);
        var request = HmacSchemeTests.Request("""{"a":1}""",
            ("X-Signature", "cyzcfojtIR/uOo7+v71nLSiMw7otYQXUTspFntN3Lhu6h0rVi9A/D4DGna3EV1f2DRcAiaOvHUmRkrBueCiSkA=="), ("X-Timestamp", "1700000000"));
        spec.Verifier("src_secret").Verify(request, DateTimeOffset.FromUnixTimeSeconds(1700000060)).Verified.ShouldBeTrue();
        spec.Verifier("src_secret").Verify(request, DateTimeOffset.FromUnixTimeSeconds(1700000061)).Reason.ShouldBe(RejectionReasons.StaleTimestamp);
        new SourceVerifierSpec("basic", Username: "u").Verifier("p").Verify(
            HmacSchemeTests.Request("{}", ("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("u:p")))), Now).Verified.ShouldBeTrue();
    }
}
