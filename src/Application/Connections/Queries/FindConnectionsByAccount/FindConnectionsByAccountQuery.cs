using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Connections.Queries.FindConnectionsByAccount;

/// <summary>
/// The identity map, for inbound traffic: which tenants' connections belong to this account at this
/// provider (a Slack team, a Jira cloud id …). Across tenants, so only the platform itself asks it
/// (the inbound receiver); none of it is exposed to tenants.
/// </summary>
public sealed record FindConnectionsByAccountQuery(string Provider, string ExternalAccountId) : IQuery<IReadOnlyList<ConnectionIdentity>>;

public sealed class FindConnectionsByAccountQueryHandler(IConnectionReadModel connections)
    : IRequestHandler<FindConnectionsByAccountQuery, IReadOnlyList<ConnectionIdentity>>
{
    public Task<IReadOnlyList<ConnectionIdentity>> Handle(FindConnectionsByAccountQuery request, CancellationToken cancellationToken) =>
        connections.FindByAccountAsync(request.Provider, request.ExternalAccountId, cancellationToken);
}
