using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.WebhookEndpoints.Queries.GetWebhookEndpoint;

public sealed record GetWebhookEndpointQuery(Guid TenantId, Guid EndpointId) : IQuery<WebhookEndpointDto>;

public sealed class GetWebhookEndpointQueryHandler(IWebhookEndpointReadModel endpoints) : IRequestHandler<GetWebhookEndpointQuery, WebhookEndpointDto>
{
    public async Task<WebhookEndpointDto> Handle(GetWebhookEndpointQuery request, CancellationToken cancellationToken) =>
        await endpoints.FindAsync(request.TenantId, request.EndpointId, cancellationToken) ?? throw WebhookEndpointAggregate.NotFound();
}
