using Integrations.Application.Common.Listing;
using Integrations.Application.Common.Models;

namespace Integrations.Application.OAuth;

public sealed record MemberDto(Guid Id, Guid TenantId, string Email, string Role, string Status, DateTimeOffset InvitedAt, DateTimeOffset? JoinedAt)
{
    public static MemberDto From(MemberRow m) => new(m.Id, m.TenantId, m.Email, m.Role, m.Status, m.InvitedAt, m.JoinedAt);

    public static MemberDto From(Domain.Members.MemberState m) => new(m.MemberId, m.TenantId, m.Email, m.Role, m.Status, m.InvitedAt, m.JoinedAt);
}

/// <summary>The only response that carries the invitation token.</summary>
public sealed record InvitationDto(MemberDto Member, string InvitationToken, DateTimeOffset ExpiresAt);

public interface IMemberReadModel
{
    /// <summary>Invited and active members (removed ones never).</summary>
    Task<CursorPage<MemberDto>> ListAsync(Guid tenantId, ListQuery query, CancellationToken ct);
}

/// <summary>Password hashing is the framework's PasswordHasher; the Api provides it (Application stays free of ASP.NET Core).</summary>
public interface IMemberPasswordHasher
{
    string Hash(string password);

    bool Verify(string hash, string password);
}

public static class MemberRules
{
    public const int MinPasswordLength = 12;
    public static readonly TimeSpan InvitationLifetime = TimeSpan.FromDays(7);
    public static readonly string[] Roles = [.. Domain.Members.MemberRoles.All];
}
