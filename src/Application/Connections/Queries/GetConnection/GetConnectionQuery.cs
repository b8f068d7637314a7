using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Connections.Queries.GetConnection;

public sealed record GetConnectionQuery(Guid TenantId, Guid ConnectionId) : IQuery<ConnectionDto>;

public sealed class GetConnectionQueryHandler(IConnectionReadModel connections) : IRequestHandler<GetConnectionQuery, ConnectionDto>
{
    public async Task<ConnectionDto> Handle(GetConnectionQuery request, CancellationToken cancellationToken) =>
        await connections.FindAsync(request.TenantId, request.ConnectionId, cancellationToken) ?? throw ConnectionAggregate.NotFound();
}
