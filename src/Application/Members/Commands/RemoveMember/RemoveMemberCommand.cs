using System.Text.Json;
using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Events;
using Integrations.Application.OAuth;
using Integrations.Domain.Marketplace;
using Integrations.Domain.Members;
using MediatR;

namespace Integrations.Application.Members.Commands.RemoveMember;

/// <summary>Removes the member and revokes every OAuth grant they gave, in one transaction.</summary>
public sealed record RemoveMemberCommand(Guid TenantId, Guid MemberId) : ICommand<Unit>;

public sealed class RemoveMemberCommandHandler(AggregateStore aggregates, OAuthGrants grants, EventRecorder events, IClock clock)
    : IRequestHandler<RemoveMemberCommand, Unit>
{
    public async Task<Unit> Handle(RemoveMemberCommand request, CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        var streamId = MemberDecider.StreamId(request.MemberId);
        // The stream is read in the organisation's tenant: another organisation's member is not found there.
        var loaded = await aggregates.LoadAsync(MemberDecider.Decider, streamId, request.TenantId, cancellationToken);
        if (!loaded.State.IsMember) throw new NotFoundException("member_not_found", "No such member.");
        await aggregates.HandleAsync(MemberDecider.Decider, [new StreamCommands<MemberCommand>(streamId, request.TenantId, [new Domain.Members.RemoveMember(now)])],
            cancellationToken, new Dictionary<string, Loaded<MemberState>> { [streamId] = loaded });
        await grants.RevokeLiveAsync(request.TenantId, request.MemberId, null, GrantRevocationReasons.MemberRemoved, now, cancellationToken);
        await events.RecordAsync(request.TenantId, "user.removed", JsonSerializer.SerializeToElement(new Dictionary<string, string>
        {
            ["user_id"] = request.MemberId.ToString(),
            ["removed_at"] = now.ToString("O"),
        }), cancellationToken);
        return Unit.Value;
    }
}
