using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Marketplace;
using MediatR;

namespace Integrations.Application.OAuth.Commands.IssueClientCredentialsGrant;

/// <summary>
/// The grant behind one client_credentials token (RFC 6749 §4.4): no member; the token endpoint has
/// checked the organisation's consent beforehand, and every API request checks it again.
/// </summary>
public sealed record IssueClientCredentialsGrantCommand(Guid TenantId, Guid AppId, string[] Scopes) : ICommand<GrantRow>;

public sealed class IssueClientCredentialsGrantCommandHandler(OAuthGrants grants, IClock clock) : IRequestHandler<IssueClientCredentialsGrantCommand, GrantRow>
{
    public async Task<GrantRow> Handle(IssueClientCredentialsGrantCommand request, CancellationToken cancellationToken)
    {
        var grantId = Guid.CreateVersion7();
        var grant = await grants.CreateAsync(new GrantClientCredentials(grantId, request.TenantId, request.AppId, request.Scopes, clock.UtcNow), grantId,
            request.TenantId, cancellationToken);
        return new GrantRow(grant.GrantId, grant.TenantId, grant.MemberId, grant.AppId, [.. grant.Scopes], grant.RevokedAt);
    }
}
