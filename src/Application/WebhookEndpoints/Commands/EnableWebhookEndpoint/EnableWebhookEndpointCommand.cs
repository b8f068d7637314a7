using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.WebhookEndpoints.Commands.EnableWebhookEndpoint;

/// <summary>Enabling an enabled endpoint changes nothing; the delivery side resumes what is pending, and the tenant hears that its disabled endpoint works again.</summary>
public sealed record EnableWebhookEndpointCommand(Guid TenantId, Guid EndpointId) : ICommand<WebhookEndpointDto>;

public sealed class EnableWebhookEndpointCommandHandler(
    WebhookEndpointAggregate endpointAggregate, WebhookEndpointIncidents incidents, IWebhookEndpointReadModel endpoints, IClock clock)
    : IRequestHandler<EnableWebhookEndpointCommand, WebhookEndpointDto>
{
    public async Task<WebhookEndpointDto> Handle(EnableWebhookEndpointCommand request, CancellationToken cancellationToken)
    {
        var enabled = await endpointAggregate.HandleAsync(request.TenantId, request.EndpointId, new Domain.Webhooks.EnableWebhookEndpoint(clock.UtcNow), cancellationToken);
        if (enabled.Events.Count > 0) await incidents.EnabledAsync(enabled.State, cancellationToken);
        return (await endpoints.FindAsync(request.TenantId, request.EndpointId, cancellationToken))!;
    }
}
