using Integrations.Domain.Common;
using Integrations.Domain.Members;
using Shouldly;

namespace Integrations.Domain.UnitTests.Members;

public class MemberDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid MemberId = Guid.Parse("0193f0a0-0000-7000-8000-0000000000a1");
    private static readonly Guid TenantId = Guid.Parse("0193f0a0-0000-7000-8000-000000000001");
    private static readonly DateTimeOffset Expires = Now.AddDays(7);

    private static InviteMember Invite(string email = "  ada@example.com ", string role = MemberRoles.Member) =>
        new(MemberId, TenantId, email, role, "sha256-of-invitation", Expires, Now);

    private static MemberState Given(params IMemberEvent[] events) => MemberDecider.Decider.Fold(events);

    private static MemberInvited Invited => new(MemberId, TenantId, "ada@example.com", MemberRoles.Member, "sha256-of-invitation", Expires, Now);

    private static MemberState Apply(MemberState state, MemberCommand command) =>
        MemberDecider.Decide(command, state).Aggregate(state, MemberDecider.Evolve);

    [Fact]
    public void Inviting_records_the_trimmed_address_and_only_the_invitations_hash()
    {
        var events = MemberDecider.Decide(Invite(), MemberState.None);

        events.ShouldBe([Invited]);
        var state = Given(Invited);
        state.Status.ShouldBe(MemberStatuses.Invited);
        state.IsMember.ShouldBeTrue();
        state.InvitationHash.ShouldBe("sha256-of-invitation");
        state.PasswordHash.ShouldBeNull();
    }

    [Theory]
    [InlineData("", MemberRoles.Member, "invalid_email")]
    [InlineData("no-at-sign", MemberRoles.Member, "invalid_email")]
    [InlineData("a b@example.com", MemberRoles.Member, "invalid_email")]
    [InlineData("ada@", MemberRoles.Member, "invalid_email")]
    [InlineData("ada@example.com", "owner", "invalid_role")]
    public void Invitations_need_an_address_and_a_known_role(string email, string role, string code)
    {
        Should.Throw<DomainException>(() => MemberDecider.Decide(Invite(email, role), MemberState.None)).Code.ShouldBe(code);
    }

    [Fact]
    public void An_invitation_must_expire_after_it_is_made_and_a_member_is_invited_once()
    {
        Should.Throw<DomainException>(() => MemberDecider.Decide(Invite() with { InvitationExpiresAt = Now }, MemberState.None))
            .Code.ShouldBe("invalid_invitation_expiry");
        Should.Throw<DomainException>(() => MemberDecider.Decide(Invite(), Given(Invited))).Code.ShouldBe("member_exists");
    }

    [Fact]
    public void Accepting_records_the_password_hash_and_uses_the_invitation_up()
    {
        var joinedAt = Now.AddHours(2);
        var events = MemberDecider.Decide(new AcceptInvitation("sha256-of-invitation", "pbkdf2-hash", joinedAt), Given(Invited));

        events.ShouldBe([new MemberJoined(MemberId, TenantId, "pbkdf2-hash", joinedAt)]);
        var state = Given([Invited, .. events]);
        state.Status.ShouldBe(MemberStatuses.Active);
        state.PasswordHash.ShouldBe("pbkdf2-hash");
        state.JoinedAt.ShouldBe(joinedAt);
        state.InvitationHash.ShouldBeNull();
        state.InvitationExpiresAt.ShouldBeNull();

        Should.Throw<DomainException>(() => MemberDecider.Decide(new AcceptInvitation("sha256-of-invitation", "again", joinedAt), state))
            .Code.ShouldBe("invitation_not_found", "the token works once");
    }

    [Fact]
    public void An_expired_another_or_a_removed_members_invitation_is_not_found()
    {
        Should.Throw<DomainException>(() => MemberDecider.Decide(new AcceptInvitation("sha256-of-invitation", "h", Expires), Given(Invited)))
            .Code.ShouldBe("invitation_not_found");
        Should.Throw<DomainException>(() => MemberDecider.Decide(new AcceptInvitation("another-hash", "h", Now), Given(Invited)))
            .Code.ShouldBe("invitation_not_found");
        Should.Throw<DomainException>(() => MemberDecider.Decide(new AcceptInvitation("sha256-of-invitation", "h", Now), MemberState.None))
            .Code.ShouldBe("invitation_not_found");
        var removed = Given(Invited, new MemberRemoved(MemberId, TenantId, Now));
        Should.Throw<DomainException>(() => MemberDecider.Decide(new AcceptInvitation("sha256-of-invitation", "h", Now), removed))
            .Code.ShouldBe("invitation_not_found");
    }

    [Fact]
    public void Removing_keeps_the_member_as_history_and_a_second_removal_finds_nobody()
    {
        var removedAt = Now.AddDays(1);
        var state = Apply(Given(Invited, new MemberJoined(MemberId, TenantId, "pbkdf2-hash", Now)), new RemoveMember(removedAt));

        state.Status.ShouldBe(MemberStatuses.Removed);
        state.IsMember.ShouldBeFalse();
        state.RemovedAt.ShouldBe(removedAt);
        state.Email.ShouldBe("ada@example.com");
        Should.Throw<DomainException>(() => MemberDecider.Decide(new RemoveMember(removedAt), state)).Code.ShouldBe("member_not_found");
        Should.Throw<DomainException>(() => MemberDecider.Decide(new RemoveMember(removedAt), MemberState.None)).Code.ShouldBe("member_not_found");
    }

    [Fact]
    public void Removing_an_invited_member_kills_the_invitation_but_keeps_its_expiry()
    {
        var state = Apply(Given(Invited), new RemoveMember(Now));

        state.InvitationHash.ShouldBeNull();
        state.InvitationExpiresAt.ShouldBe(Expires);
    }

    [Fact]
    public void An_imported_member_is_the_row_it_was_imported_from_and_takes_commands()
    {
        var imported = new MemberImported(MemberId, TenantId, "ops@example.com", MemberRoles.Admin, MemberStatuses.Invited, null, "h-inv",
            Expires, Now, null, null);

        var state = Given(imported);
        state.ShouldBe(new MemberState(MemberId, TenantId, "ops@example.com", MemberRoles.Admin, MemberStatuses.Invited, null, "h-inv", Expires, Now, null, null));
        Apply(state, new AcceptInvitation("h-inv", "pbkdf2-hash", Now)).Status.ShouldBe(MemberStatuses.Active);
    }

    [Fact]
    public void Replaying_a_stream_rebuilds_the_same_state_as_deciding_step_by_step()
    {
        var state = MemberState.None;
        var log = new List<IMemberEvent>();
        foreach (var command in new MemberCommand[] { Invite(), new AcceptInvitation("sha256-of-invitation", "pbkdf2-hash", Now.AddHours(1)), new RemoveMember(Now.AddDays(2)) })
        {
            var events = MemberDecider.Decide(command, state);
            log.AddRange(events);
            state = events.Aggregate(state, MemberDecider.Evolve);
        }

        Given([.. log]).ShouldBe(state);
        MemberDecider.StreamId(MemberId).ShouldBe("member-0193f0a00000700080000000000000a1");
    }
}
