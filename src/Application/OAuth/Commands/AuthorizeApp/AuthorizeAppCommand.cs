using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Marketplace;
using MediatR;

namespace Integrations.Application.OAuth.Commands.AuthorizeApp;

/// <summary>
/// A member's consent, shown or remembered: a grant of its own (the unit of revocation) and one
/// authorization code bound to the client, the redirect URI and the PKCE challenge. Returns the code,
/// which is kept only as its hash.
/// </summary>
public sealed record AuthorizeAppCommand(
    Guid TenantId, Guid MemberId, Guid AppId, string ClientId, string[] Scopes, string RedirectUri, string? CodeChallenge, TimeSpan CodeLifetime)
    : ICommand<string>;

public sealed class AuthorizeAppCommandHandler(OAuthGrants grants, IOAuthStore store, IClock clock) : IRequestHandler<AuthorizeAppCommand, string>
{
    public async Task<string> Handle(AuthorizeAppCommand request, CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        var grantId = Guid.CreateVersion7();
        await grants.CreateAsync(new GrantConsent(grantId, request.TenantId, request.AppId, request.MemberId, request.Scopes, now), grantId, request.TenantId,
            cancellationToken);
        var code = OpaqueSecret.Generate("ac_");
        await store.InsertCodeAsync(OpaqueSecret.Hash(code), grantId, request.ClientId, request.RedirectUri, request.CodeChallenge, now + request.CodeLifetime,
            cancellationToken);
        return code;
    }
}
