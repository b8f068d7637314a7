using Integrations.Domain.Common;

namespace Integrations.Domain.Members;

/// <summary>
/// A member's life: invited (with a single-use invitation that expires), joined once with a
/// password, removed. The uniqueness of an address within an organisation spans members, so the
/// use case checks it against the read model (whose unique index backs it), not this decider.
/// </summary>
public static class MemberDecider
{
    public const int MaxEmailLength = 254;

    public static readonly Decider<MemberCommand, MemberState, IMemberEvent> Decider = new(Decide, Evolve, MemberState.None);

    public static string StreamId(Guid memberId) => $"member-{memberId:N}";

    public static IReadOnlyList<IMemberEvent> Decide(MemberCommand command, MemberState state) => command switch
    {
        InviteMember when state.Exists => throw new DomainException("member_exists", "The member already exists."),
        InviteMember c => [Invite(c)],
        // Unknown, used, expired or another member's token: one answer, so nothing is learnt from it.
        AcceptInvitation c when !state.Accepts(c.InvitationHash, c.Now) =>
            throw new DomainException("invitation_not_found", "The invitation is unknown, already used or expired."),
        AcceptInvitation c when string.IsNullOrEmpty(c.PasswordHash) => throw new DomainException("password_required", "A password hash is required."),
        AcceptInvitation c => [new MemberJoined(state.MemberId, state.TenantId, c.PasswordHash, c.Now)],
        RemoveMember when !state.IsMember => throw new DomainException("member_not_found", "The member does not exist."),
        RemoveMember c => [new MemberRemoved(state.MemberId, state.TenantId, c.Now)],
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown member command."),
    };

    public static MemberState Evolve(MemberState state, IMemberEvent @event) => @event switch
    {
        MemberInvited e => new MemberState(e.MemberId, e.TenantId, e.Email, e.Role, MemberStatuses.Invited, null, e.InvitationHash,
            e.InvitationExpiresAt, e.InvitedAt, null, null),
        MemberJoined e => state with
        {
            Status = MemberStatuses.Active, PasswordHash = e.PasswordHash, JoinedAt = e.JoinedAt, InvitationHash = null, InvitationExpiresAt = null,
        },
        // The invitation's expiry stays as it was (the row always kept it); its hash goes, so the token finds nothing.
        MemberRemoved e => state with { Status = MemberStatuses.Removed, RemovedAt = e.RemovedAt, InvitationHash = null },
        MemberImported e => new MemberState(e.MemberId, e.TenantId, e.Email, e.Role, e.Status, e.PasswordHash, e.InvitationHash,
            e.InvitationExpiresAt, e.InvitedAt, e.JoinedAt, e.RemovedAt),
        _ => state,
    };

    private static MemberInvited Invite(InviteMember c)
    {
        var email = c.Email.Trim();
        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (email.Length is 0 or > MaxEmailLength || at <= 0 || at == email.Length - 1 || email.Contains(' ', StringComparison.Ordinal))
            throw new DomainException("invalid_email", "email must be an e-mail address.");
        if (!MemberRoles.All.Contains(c.Role)) throw new DomainException("invalid_role", "role must be admin or member.");
        if (string.IsNullOrEmpty(c.InvitationHash)) throw new DomainException("invitation_required", "An invitation hash is required.");
        if (c.InvitationExpiresAt <= c.Now) throw new DomainException("invalid_invitation_expiry", "The invitation must expire after it is made.");
        return new MemberInvited(c.MemberId, c.TenantId, email, c.Role, c.InvitationHash, c.InvitationExpiresAt, c.Now);
    }
}
