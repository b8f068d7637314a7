using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.WebhookEndpoints.Commands.EnableWebhookEndpoint;

/// <summary>Enabling an enabled endpoint changes nothing; the delivery side resumes what is pending.</summary>
public sealed record EnableWebhookEndpointCommand(Guid TenantId, Guid EndpointId) : ICommand<WebhookEndpointDto>;

public sealed class EnableWebhookEndpointCommandHandler(WebhookEndpointAggregate endpointAggregate, IWebhookEndpointReadModel endpoints, IClock clock)
    : IRequestHandler<EnableWebhookEndpointCommand, WebhookEndpointDto>
{
    public async Task<WebhookEndpointDto> Handle(EnableWebhookEndpointCommand request, CancellationToken cancellationToken)
    {
        await endpointAggregate.HandleAsync(request.TenantId, request.EndpointId, new Domain.Webhooks.EnableWebhookEndpoint(clock.UtcNow), cancellationToken);
        return (await endpoints.FindAsync(request.TenantId, request.EndpointId, cancellationToken))!;
    }
}
