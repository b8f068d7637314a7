using System.Text.Json;
using FluentValidation;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Events;
using Integrations.Application.OAuth;
using MediatR;

namespace Integrations.Application.Members.Commands.AcceptInvitation;

public sealed record AcceptInvitationCommand(string InvitationToken, string Password) : ICommand<MemberDto>;

public sealed class AcceptInvitationCommandValidator : AbstractValidator<AcceptInvitationCommand>
{
    public AcceptInvitationCommandValidator() =>
        RuleFor(c => c.Password).MinimumLength(MemberRules.MinPasswordLength).WithErrorCode("password_too_short")
            .WithMessage($"The password needs at least {MemberRules.MinPasswordLength} characters.");
}

/// <summary>The invitee sets a password and becomes an active member; the token works once.</summary>
public sealed class AcceptInvitationCommandHandler(IOAuthStore store, EventRecorder events, IMemberPasswordHasher hasher, IClock clock)
    : IRequestHandler<AcceptInvitationCommand, MemberDto>
{
    public async Task<MemberDto> Handle(AcceptInvitationCommand request, CancellationToken cancellationToken)
    {
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
}
