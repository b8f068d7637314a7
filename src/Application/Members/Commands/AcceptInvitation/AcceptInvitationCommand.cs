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

namespace Integrations.Application.Members.Commands.AcceptInvitation;

public sealed record AcceptInvitationCommand(string InvitationToken, string Password) : ICommand<MemberDto>;

public sealed class AcceptInvitationCommandValidator : AbstractValidator<AcceptInvitationCommand>
{
    public AcceptInvitationCommandValidator() =>
        RuleFor(c => c.Password).MinimumLength(MemberRules.MinPasswordLength).WithErrorCode("password_too_short")
            .WithMessage($"The password needs at least {MemberRules.MinPasswordLength} characters.");
}

/// <summary>The invitee sets a password and becomes an active member; the token works once.</summary>
public sealed class AcceptInvitationCommandHandler(AggregateStore aggregates, IOAuthStore store, EventRecorder events, IMemberPasswordHasher hasher, IClock clock)
    : IRequestHandler<AcceptInvitationCommand, MemberDto>
{
    public async Task<MemberDto> Handle(AcceptInvitationCommand request, CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        var invitationHash = OpaqueSecret.Hash(request.InvitationToken);
        // The projection finds the member by the hash; their stream decides (a concurrent acceptance loses the race and finds it used).
        var row = await store.FindMemberByInvitationAsync(invitationHash, cancellationToken);
        var loaded = row is null ? null : await aggregates.LoadAsync(MemberDecider.Decider, MemberDecider.StreamId(row.Id), row.TenantId, cancellationToken);
        if (loaded is null || !loaded.State.Accepts(invitationHash, now))
            throw new NotFoundException("invitation_not_found", "The invitation is unknown, already used or expired.");

        var streamId = MemberDecider.StreamId(loaded.State.MemberId);
        var member = (await aggregates.HandleAsync(MemberDecider.Decider,
            [new StreamCommands<MemberCommand>(streamId, loaded.State.TenantId, [new Domain.Members.AcceptInvitation(invitationHash, hasher.Hash(request.Password), now)])],
            cancellationToken, new Dictionary<string, Loaded<MemberState>> { [streamId] = loaded }))[0].State;
        await events.RecordAsync(member.TenantId, "user.joined", JsonSerializer.SerializeToElement(new Dictionary<string, string>
        {
            ["user_id"] = member.MemberId.ToString(),
            ["role"] = member.Role,
            ["joined_at"] = now.ToString("O"),
        }), cancellationToken);
        return MemberDto.From(member);
    }
}
