namespace Integrations.Domain.Members;

// A person of an organisation who signs in to the authorization server and consents to apps.
// Only hashes are recorded: the invitation token's SHA-256 and the password's PasswordHasher hash;
// the token and the password themselves are never stored.

public interface IMemberEvent;

public sealed record MemberInvited(
    Guid MemberId, Guid TenantId, string Email, string Role, string InvitationHash, DateTimeOffset InvitationExpiresAt, DateTimeOffset InvitedAt) : IMemberEvent;

/// <summary>The invitee set a password: the invitation is used up.</summary>
public sealed record MemberJoined(Guid MemberId, Guid TenantId, string PasswordHash, DateTimeOffset JoinedAt) : IMemberEvent;

/// <summary>The member is history: no sign-in, and every grant they gave is revoked beside this event.</summary>
public sealed record MemberRemoved(Guid MemberId, Guid TenantId, DateTimeOffset RemovedAt) : IMemberEvent;

/// <summary>
/// A member as the release before event-sourced members stored it (a row of <c>members</c>), written
/// once by the upgrade migration 0025 as the first and only event of the member's stream.
/// </summary>
public sealed record MemberImported(
    Guid MemberId, Guid TenantId, string Email, string Role, string Status, string? PasswordHash, string? InvitationHash,
    DateTimeOffset? InvitationExpiresAt, DateTimeOffset InvitedAt, DateTimeOffset? JoinedAt, DateTimeOffset? RemovedAt) : IMemberEvent;
