using Integrations.Application.Common.Exceptions;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.Connectors.Queries.GetConnectorCall;

/// <summary>One call with its attempt log.</summary>
public sealed record GetConnectorCallQuery(Guid TenantId, Guid ConnectionId, Guid CallId) : IQuery<ConnectorCallDetailDto>;

public sealed class GetConnectorCallQueryHandler(RouteAggregate routes, IConnectorCallLedger ledger) : IRequestHandler<GetConnectorCallQuery, ConnectorCallDetailDto>
{
    public static NotFoundException NotFound() => new("connector_call_not_found", "No such call.");

    public async Task<ConnectorCallDetailDto> Handle(GetConnectorCallQuery request, CancellationToken cancellationToken)
    {
        await routes.ConnectionAsync(request.TenantId, request.ConnectionId, cancellationToken);
        return await ledger.FindAsync(request.TenantId, request.ConnectionId, request.CallId, cancellationToken) ?? throw NotFound();
    }
}
