using System.Text.Json;
using FluentValidation;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Events;
using Integrations.Application.OAuth;
using MediatR;

namespace Integrations.Application.Members.Commands.InviteMember;

public sealed record InviteMemberCommand(Guid TenantId, string Email, string Role) : ICommand<InvitationDto>;

public sealed class InviteMemberCommandValidator : AbstractValidator<InviteMemberCommand>
{
    public InviteMemberCommandValidator()
    {
        RuleFor(c => c.Email).Must(IsEmailAddress).WithErrorCode("invalid_email").WithMessage("email must be an e-mail address.");
        RuleFor(c => c.Role).Must(r => MemberRules.Roles.Contains(r)).WithErrorCode("invalid_role").WithMessage("role must be admin or member.");
    }

    private static bool IsEmailAddress(string value)
    {
        var email = value.Trim();
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return email.Length is > 0 and <= 254 && at > 0 && at < email.Length - 1 && !email.Contains(' ', StringComparison.Ordinal);
    }
}

/// <summary>Creates an invitation valid for <see cref="MemberRules.InvitationLifetime"/>; its token is shown once, only its hash is kept.</summary>
public sealed class InviteMemberCommandHandler(IOAuthStore store, ITenantReadModel tenants, EventRecorder events, IClock clock)
    : IRequestHandler<InviteMemberCommand, InvitationDto>
{
    public async Task<InvitationDto> Handle(InviteMemberCommand request, CancellationToken cancellationToken)
    {
        var email = request.Email.Trim();
        if (await tenants.FindAsync(request.TenantId, cancellationToken) is null) throw new NotFoundException("tenant_not_found", "No such tenant.");
        if (await store.HasMemberWithEmailAsync(request.TenantId, email, cancellationToken))
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
            ["email_domain"] = email[(email.IndexOf('@', StringComparison.Ordinal) + 1)..].ToLowerInvariant(),
            ["expires_at"] = member.InvitationExpiresAt!.Value.ToString("O"),
        }), cancellationToken);
        return new InvitationDto(MemberDto.From(member), token, member.InvitationExpiresAt.Value);
    }
}
