using Integrations.Application.Common.Messaging;
using Integrations.Application.Connectors.Queries.GetConnectorCall;
using MediatR;

namespace Integrations.Application.Connectors.Commands.ReplayConnectorCall;

/// <summary>
/// Sends a dead-lettered call again, now, with a fresh retry budget and the same idempotency key. A
/// pending call is left as it is; a call that succeeded is not sent twice (422).
/// </summary>
public sealed record ReplayConnectorCallCommand(Guid TenantId, Guid ConnectionId, Guid CallId) : ICommand<ConnectorCallDetailDto>;

public sealed class ReplayConnectorCallCommandHandler(RouteAggregate routes, IConnectorCallLedger ledger) : IRequestHandler<ReplayConnectorCallCommand, ConnectorCallDetailDto>
{
    public async Task<ConnectorCallDetailDto> Handle(ReplayConnectorCallCommand request, CancellationToken cancellationToken)
    {
        await routes.ConnectionAsync(request.TenantId, request.ConnectionId, cancellationToken);
        switch (await ledger.ReplayAsync(request.TenantId, request.ConnectionId, request.CallId, cancellationToken))
        {
            case ReplayOutcome.NotFound:
                throw GetConnectorCallQueryHandler.NotFound();
            case ReplayOutcome.Succeeded:
                throw new Domain.Common.DomainException("connector_call_succeeded", "The call succeeded; it is not sent twice.");
        }
        return (await ledger.FindAsync(request.TenantId, request.ConnectionId, request.CallId, cancellationToken))!;
    }
}
