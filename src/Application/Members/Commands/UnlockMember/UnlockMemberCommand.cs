using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Messaging;
using Integrations.Application.OAuth;
using Integrations.Domain.Members;
using MediatR;

namespace Integrations.Application.Members.Commands.UnlockMember;

/// <summary>
/// Ends a member's sign-in lockout and forgets their failed passwords, so the right password works
/// at once (docs/oauth.md#security): for the person locked out by someone guessing their password,
/// without waiting out the lock. Unlocking a member who is not locked changes nothing.
/// </summary>
public sealed record UnlockMemberCommand(Guid TenantId, Guid MemberId) : ICommand<Unit>;

public sealed class UnlockMemberCommandHandler(AggregateStore aggregates, IOAuthStore store) : IRequestHandler<UnlockMemberCommand, Unit>
{
    public async Task<Unit> Handle(UnlockMemberCommand request, CancellationToken cancellationToken)
    {
        // Read in the organisation's tenant: another organisation's member is not found there.
        var loaded = await aggregates.LoadAsync(MemberDecider.Decider, MemberDecider.StreamId(request.MemberId), request.TenantId, cancellationToken);
        if (!loaded.State.IsMember) throw new NotFoundException("member_not_found", "No such member.");
        await store.ClearFailedSignInsAsync(request.MemberId, cancellationToken);
        return Unit.Value;
    }
}
