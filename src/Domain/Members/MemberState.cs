namespace Integrations.Domain.Members;

/// <summary>The roles a member may hold; the wire names are the values.</summary>
public static class MemberRoles
{
    public const string Admin = "admin";
    public const string Member = "member";

    public static readonly IReadOnlyList<string> All = [Admin, Member];
}

/// <summary>A member's status as the API and the <c>members</c> table name it.</summary>
public static class MemberStatuses
{
    public const string Invited = "invited";
    public const string Active = "active";
    public const string Removed = "removed";

    public static readonly IReadOnlyList<string> All = [Invited, Active, Removed];
}

public sealed record MemberState(
    Guid MemberId,
    Guid TenantId,
    string Email,
    string Role,
    string Status,
    string? PasswordHash,
    string? InvitationHash,
    DateTimeOffset? InvitationExpiresAt,
    DateTimeOffset InvitedAt,
    DateTimeOffset? JoinedAt,
    DateTimeOffset? RemovedAt)
{
    public static readonly MemberState None = new(Guid.Empty, Guid.Empty, "", "", "", null, null, null, DateTimeOffset.MinValue, null, null);

    public bool Exists => MemberId != Guid.Empty;

    /// <summary>Invited or active: a member of the organisation (removed ones are history).</summary>
    public bool IsMember => Status is MemberStatuses.Invited or MemberStatuses.Active;

    /// <summary>Whether the invitation with this hash can still be accepted at <paramref name="at"/>.</summary>
    public bool Accepts(string invitationHash, DateTimeOffset at) =>
        Status == MemberStatuses.Invited && InvitationHash is not null && InvitationHash == invitationHash && InvitationExpiresAt > at;
}
