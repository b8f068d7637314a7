using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Events;
using MediatR;

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

public sealed record InviteMemberCommand(Guid TenantId, string Email, string Role) : ICommand<InvitationDto>;

public sealed record AcceptInvitationCommand(string InvitationToken, string Password) : ICommand<MemberDto>;

public sealed record RemoveMemberCommand(Guid TenantId, Guid MemberId) : ICommand<Unit>;

public sealed record ListMembersQuery(Guid TenantId) : IQuery<IReadOnlyList<MemberDto>>;

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

public sealed class MemberCommandHandlers(IOAuthStore store, ITenantReadModel tenants, EventRecorder events, IMemberPasswordHasher hasher, IClock clock)
    : IRequestHandler<InviteMemberCommand, InvitationDto>, IRequestHandler<AcceptInvitationCommand, MemberDto>, IRequestHandler<RemoveMemberCommand, Unit>,
      IRequestHandler<ListMembersQuery, IReadOnlyList<MemberDto>>
{
    public async Task<InvitationDto> Handle(InviteMemberCommand request, CancellationToken cancellationToken)
    {
        var email = request.Email.Trim();
        var errors = new List<ValidationError>();
        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (email.Length is 0 or > 254 || at <= 0 || at == email.Length - 1 || email.Contains(' ', StringComparison.Ordinal))
            errors.Add(new ValidationError("email", "invalid_email", "email must be an e-mail address."));
        if (!MemberRules.Roles.Contains(request.Role)) errors.Add(new ValidationError("role", "invalid_role", "role must be admin or member."));
        if (errors.Count > 0) throw new ValidationException(errors);
        if (await tenants.FindAsync(request.TenantId, cancellationToken) is null) throw new NotFoundException("tenant_not_found", "No such tenant.");
        if (await store.FindActiveMemberByEmailAsync(request.TenantId, email, cancellationToken) is not null
            || (await store.ListMembersAsync(request.TenantId, cancellationToken)).Any(m => string.Equals(m.Email, email, StringComparison.OrdinalIgnoreCase)))
            throw new ConflictException("member_exists", "This address is already a member or invited.");

        var now = clock.UtcNow;
        var token = OpaqueSecret.Generate("inv_");
        var member = new MemberRow(Guid.CreateVersion7(), request.TenantId, email, request.Role, "invited", null, now, null, now + MemberRules.InvitationLifetime);
        await store.InsertMemberAsync(member, OpaqueSecret.Hash(token), cancellationToken);
        // Ids only: the address never enters an event (its domain is enough for analytics).
        await events.RecordAsync(request.TenantId, "user.invited", JsonSerializer.SerializeToElement(new Dictionary<string, string>
        {
            ["user_id"] = member.Id.ToString(),
            ["role"] = member.Role,
            ["email_domain"] = email[(at + 1)..].ToLowerInvariant(),
            ["expires_at"] = member.InvitationExpiresAt!.Value.ToString("O"),
        }), cancellationToken);
        return new InvitationDto(MemberDto.From(member), token, member.InvitationExpiresAt.Value);
    }

    public async Task<MemberDto> Handle(AcceptInvitationCommand request, CancellationToken cancellationToken)
    {
        if (request.Password.Length < MemberRules.MinPasswordLength)
            throw new ValidationException([new ValidationError("password", "password_too_short", $"The password needs at least {MemberRules.MinPasswordLength} characters.")]);
        var now = clock.UtcNow;
        var member = await store.FindMemberByInvitationAsync(OpaqueSecret.Hash(request.InvitationToken), cancellationToken);
        if (member is null || member.InvitationExpiresAt <= now || !await store.ActivateMemberAsync(member.Id, hasher.Hash(request.Password), now, cancellationToken))
            throw new NotFoundException("invitation_not_found", "The invitation is unknown, already used or expired.");
        await events.RecordAsync(member.TenantId, "user.joined", JsonSerializer.SerializeToElement(new Dictionary<string, string>
        {
            ["user_id"] = member.Id.ToString(),
            ["role"] = member.Role,
            ["joined_at"] = now.ToString("O"),
        }), cancellationToken);
        return MemberDto.From(member with { Status = "active", JoinedAt = now });
    }

    public async Task<Unit> Handle(RemoveMemberCommand request, CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        if (!await store.RemoveMemberAsync(request.TenantId, request.MemberId, now, cancellationToken))
            throw new NotFoundException("member_not_found", "No such member.");
        await events.RecordAsync(request.TenantId, "user.removed", JsonSerializer.SerializeToElement(new Dictionary<string, string>
        {
            ["user_id"] = request.MemberId.ToString(),
            ["removed_at"] = now.ToString("O"),
        }), cancellationToken);
        return Unit.Value;
    }

    public async Task<IReadOnlyList<MemberDto>> Handle(ListMembersQuery request, CancellationToken cancellationToken) =>
        (await store.ListMembersAsync(request.TenantId, cancellationToken)).Select(MemberDto.From).ToList();
}
