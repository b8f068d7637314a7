using Integrations.Domain.Common;
using Integrations.Domain.Marketplace;
using Shouldly;

namespace Integrations.Domain.UnitTests.Marketplace;

public class GrantDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid GrantId = Guid.Parse("0193f0a0-0000-7000-8000-0000000000c1");
    private static readonly Guid TenantId = Guid.Parse("0193f0a0-0000-7000-8000-000000000001");
    private static readonly Guid AppId = Guid.Parse("0193f0a0-0000-7000-8000-0000000000b1");
    private static readonly Guid MemberId = Guid.Parse("0193f0a0-0000-7000-8000-0000000000a1");

    private static GrantState Given(params IGrantEvent[] events) => GrantDecider.Decider.Fold(events);

    private static GrantCreated Consented => new(GrantId, TenantId, AppId, MemberId, GrantTypes.AuthorizationCode, ["events:read", "tenant:read"], Now);

    [Fact]
    public void A_members_consent_is_an_authorization_code_grant_with_its_scopes()
    {
        var events = GrantDecider.Decide(new GrantConsent(GrantId, TenantId, AppId, MemberId, ["events:read", "tenant:read", "events:read"], Now), GrantState.None);

        var created = events.ShouldHaveSingleItem().ShouldBeOfType<GrantCreated>();
        created.ShouldBe(Consented with { Scopes = created.Scopes });
        created.Scopes.ShouldBe(["events:read", "tenant:read"], "each scope once, in the order asked");
        var state = Given([.. events]);
        state.Revoked.ShouldBeFalse();
        state.MemberId.ShouldBe(MemberId);
    }

    [Fact]
    public void A_client_credentials_grant_has_no_member()
    {
        var created = GrantDecider.Decide(new GrantClientCredentials(GrantId, TenantId, AppId, ["events:read"], Now), GrantState.None)
            .ShouldHaveSingleItem().ShouldBeOfType<GrantCreated>();

        created.GrantType.ShouldBe(GrantTypes.ClientCredentials);
        created.MemberId.ShouldBeNull();
    }

    [Fact]
    public void A_grant_allows_at_least_one_scope_and_is_created_once()
    {
        Should.Throw<DomainException>(() => GrantDecider.Decide(new GrantConsent(GrantId, TenantId, AppId, MemberId, [], Now), GrantState.None))
            .Code.ShouldBe("invalid_scope");
        Should.Throw<DomainException>(() => GrantDecider.Decide(new GrantClientCredentials(GrantId, TenantId, AppId, ["events:read"], Now), Given(Consented)))
            .Code.ShouldBe("grant_exists");
    }

    [Fact]
    public void Revoking_records_why_and_revoking_again_changes_nothing()
    {
        var revokedAt = Now.AddMinutes(5);
        var events = GrantDecider.Decide(new RevokeGrant(GrantRevocationReasons.RefreshTokenReuse, revokedAt), Given(Consented));

        events.ShouldBe([new GrantRevoked(GrantId, TenantId, AppId, GrantRevocationReasons.RefreshTokenReuse, revokedAt)]);
        var state = Given([Consented, .. events]);
        state.Revoked.ShouldBeTrue();
        state.RevokeReason.ShouldBe(GrantRevocationReasons.RefreshTokenReuse);
        GrantDecider.Decide(new RevokeGrant(GrantRevocationReasons.AppDisconnected, revokedAt.AddMinutes(1)), state)
            .ShouldBeEmpty("the first revocation stands, with its reason and time");
    }

    [Fact]
    public void Every_path_that_revokes_names_a_known_reason()
    {
        foreach (var reason in GrantRevocationReasons.All)
            GrantDecider.Decide(new RevokeGrant(reason, Now), Given(Consented)).ShouldHaveSingleItem();

        Should.Throw<DomainException>(() => GrantDecider.Decide(new RevokeGrant("bored", Now), Given(Consented))).Code.ShouldBe("invalid_revoke_reason");
        Should.Throw<DomainException>(() => GrantDecider.Decide(new RevokeGrant(GrantRevocationReasons.RevokedByClient, Now), GrantState.None))
            .Code.ShouldBe("grant_not_found");
    }

    [Fact]
    public void An_imported_grant_keeps_its_revocation()
    {
        var state = Given(new GrantImported(GrantId, TenantId, AppId, null, GrantTypes.ClientCredentials, ["events:read"], Now, Now.AddHours(1), "app_disconnected"));

        state.Revoked.ShouldBeTrue();
        state.RevokeReason.ShouldBe("app_disconnected");
        GrantDecider.Decide(new RevokeGrant(GrantRevocationReasons.RevokedByClient, Now), state).ShouldBeEmpty();
        GrantDecider.StreamId(GrantId).ShouldBe("grant-0193f0a00000700080000000000000c1");
    }
}
