using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using MediatR;

namespace Integrations.Application.WebhookEndpoints.Queries.RevealWebhookEndpointSecret;

public sealed record WebhookEndpointSecretDto(string Secret);

/// <summary>The endpoint's current signing secret, decrypted on explicit request only.</summary>
public sealed record RevealWebhookEndpointSecretQuery(Guid TenantId, Guid EndpointId) : IQuery<WebhookEndpointSecretDto>;

public sealed class RevealWebhookEndpointSecretQueryHandler(IWebhookEndpointReadModel endpoints, ISecretProtector protector)
    : IRequestHandler<RevealWebhookEndpointSecretQuery, WebhookEndpointSecretDto>
{
    public async Task<WebhookEndpointSecretDto> Handle(RevealWebhookEndpointSecretQuery request, CancellationToken cancellationToken)
    {
        var target = await endpoints.FindTargetAsync(request.TenantId, request.EndpointId, cancellationToken) ?? throw WebhookEndpointAggregate.NotFound();
        var current = target.Secrets.First(s => s.ExpiresAt is null);
        return new WebhookEndpointSecretDto(protector.Unprotect(current.ProtectedSecret));
    }
}
