using System.Text.Json;
using FluentValidation;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Events;
using Integrations.Application.OAuth;
using Integrations.Domain.Members;
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

/// <summary>
/// Creates an invitation valid for <see cref="MemberRules.InvitationLifetime"/> in a new member
/// stream; its token is shown once, only its hash is recorded. An address may be invited or active
/// once per organisation: checked against the members projection, whose unique index settles a race.
/// </summary>
public sealed class InviteMemberCommandHandler(AggregateStore aggregates, IOAuthStore store, ITenantReadModel tenants, EventRecorder events, IClock clock)
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
        var memberId = Guid.CreateVersion7();
        var member = (await aggregates.StartAsync(MemberDecider.Decider, MemberDecider.StreamId(memberId),
            new Domain.Members.InviteMember(memberId, request.TenantId, email, request.Role, OpaqueSecret.Hash(token), now + MemberRules.InvitationLifetime, now),
            request.TenantId, cancellationToken)).State;
        // Ids only: the address never enters an event (its domain is enough for analytics).
        await events.RecordAsync(request.TenantId, "user.invited", JsonSerializer.SerializeToElement(new Dictionary<string, string>
        {
            ["user_id"] = member.MemberId.ToString(),
            ["role"] = member.Role,
            ["email_domain"] = email[(email.IndexOf('@', StringComparison.Ordinal) + 1)..].ToLowerInvariant(),
            ["expires_at"] = member.InvitationExpiresAt!.Value.ToString("O"),
        }), cancellationToken);
        return new InvitationDto(MemberDto.From(member), token, member.InvitationExpiresAt.Value);
    }
}
