using System.Text.Json;
using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.Events;
using Integrations.Application.OAuth;
using MediatR;

namespace Integrations.Application.Members.Commands.RemoveMember;

/// <summary>Removes the member and revokes every OAuth grant they gave.</summary>
public sealed record RemoveMemberCommand(Guid TenantId, Guid MemberId) : ICommand<Unit>;

public sealed class RemoveMemberCommandHandler(IOAuthStore store, EventRecorder events, IClock clock) : IRequestHandler<RemoveMemberCommand, Unit>
{
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
}
