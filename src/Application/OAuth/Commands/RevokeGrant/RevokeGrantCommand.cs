using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.OAuth.Commands.RevokeGrant;

/// <summary>
/// Revokes one grant, and with it every code, access token and refresh token issued from it. An
/// unknown or already revoked grant is left as it is: the token endpoint revokes on reuse and on
/// RFC 7009 requests, where the grant may be gone already.
/// </summary>
/// <param name="Reason">One of <see cref="Domain.Marketplace.GrantRevocationReasons"/>.</param>
public sealed record RevokeGrantCommand(Guid GrantId, string Reason) : ICommand<Unit>;

public sealed class RevokeGrantCommandHandler(OAuthGrants grants, IOAuthStore store, IClock clock) : IRequestHandler<RevokeGrantCommand, Unit>
{
    public async Task<Unit> Handle(RevokeGrantCommand request, CancellationToken cancellationToken)
    {
        // The grant's organisation names its stream.
        if (await store.FindGrantAsync(request.GrantId, cancellationToken) is { RevokedAt: null } grant)
            await grants.RevokeAsync(grant.TenantId, [grant.Id], request.Reason, clock.UtcNow, cancellationToken);
        return Unit.Value;
    }
}
