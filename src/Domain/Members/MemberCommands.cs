namespace Integrations.Domain.Members;

public abstract record MemberCommand;

/// <param name="InvitationHash">The SHA-256 of the invitation token (shown once to the inviter).</param>
public sealed record InviteMember(
    Guid MemberId, Guid TenantId, string Email, string Role, string InvitationHash, DateTimeOffset InvitationExpiresAt, DateTimeOffset Now) : MemberCommand;

/// <param name="InvitationHash">The hash of the token the invitee presented.</param>
public sealed record AcceptInvitation(string InvitationHash, string PasswordHash, DateTimeOffset Now) : MemberCommand;

public sealed record RemoveMember(DateTimeOffset Now) : MemberCommand;
