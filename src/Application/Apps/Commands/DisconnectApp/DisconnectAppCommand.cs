using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Application.OAuth;
using Integrations.Domain.Marketplace;
using MediatR;

namespace Integrations.Application.Apps.Commands.DisconnectApp;

/// <summary>Revokes every grant of the app in the organisation: its tokens stop working with the next request.</summary>
public sealed record DisconnectAppCommand(Guid TenantId, Guid AppId) : ICommand<DisconnectedDto>;

public sealed class DisconnectAppCommandHandler(OAuthGrants grants, IClock clock) : IRequestHandler<DisconnectAppCommand, DisconnectedDto>
{
    public async Task<DisconnectedDto> Handle(DisconnectAppCommand request, CancellationToken cancellationToken)
    {
        var revoked = await grants.RevokeLiveAsync(request.TenantId, null, request.AppId, GrantRevocationReasons.AppDisconnected, clock.UtcNow, cancellationToken);
        if (revoked == 0) throw new NotFoundException("app_not_installed", "The app has no active grant in this organisation.");
        return new DisconnectedDto(request.AppId, revoked);
    }
}
