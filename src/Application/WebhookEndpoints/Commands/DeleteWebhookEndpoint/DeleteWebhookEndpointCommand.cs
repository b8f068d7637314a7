using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.WebhookEndpoints.Commands.DeleteWebhookEndpoint;

/// <summary>Deleted endpoints leave the read model, so they are "not found" afterwards and fan-out no longer sees them.</summary>
public sealed record DeleteWebhookEndpointCommand(Guid TenantId, Guid EndpointId) : ICommand<Unit>;

public sealed class DeleteWebhookEndpointCommandHandler(WebhookEndpointAggregate endpointAggregate, WebhookEndpointIncidents incidents, IClock clock)
    : IRequestHandler<DeleteWebhookEndpointCommand, Unit>
{
    public async Task<Unit> Handle(DeleteWebhookEndpointCommand request, CancellationToken cancellationToken)
    {
        var deleted = await endpointAggregate.HandleAsync(request.TenantId, request.EndpointId, new Domain.Webhooks.DeleteWebhookEndpoint(clock.UtcNow), cancellationToken);
        // A disabled endpoint's incident ends with it.
        await incidents.DeletedAsync(deleted.State, cancellationToken);
        return Unit.Value;
    }
}
