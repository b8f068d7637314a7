using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Integrations.Application.OAuth;

/// <summary>Random bearer secrets (codes, refresh tokens, invitations, client secrets) and their stored form.</summary>
public static class OpaqueSecret
{
    public static string Generate(string prefix) => prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>SHA-256: the values carry 256 random bits, so a slow hash adds nothing (as for API keys).</summary>
    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}

public sealed record MemberDto(Guid Id, Guid TenantId, string Email, string Role, string Status, DateTimeOffset InvitedAt, DateTimeOffset? JoinedAt)
{
    public static MemberDto From(MemberRow m) => new(m.Id, m.TenantId, m.Email, m.Role, m.Status, m.InvitedAt, m.JoinedAt);
}

/// <summary>The only response that carries the invitation token.</summary>
public sealed record InvitationDto(MemberDto Member, string InvitationToken, DateTimeOffset ExpiresAt);

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
    public static readonly string[] Roles = ["admin", "member"];
}
