using Integrations.Application.Common.EventSourcing;
using Integrations.Application.Common.Interfaces;
using Integrations.Application.Common.Messaging;
using Integrations.Domain.Webhooks;
using MediatR;

namespace Integrations.Application.WebhookEndpoints.Commands.RotateWebhookEndpointSecret;

public sealed record RotatedSecretDto(string Secret, DateTimeOffset PreviousSecretExpiresAt);

/// <summary>
/// A new current secret; the previous one keeps signing beside it for the configured overlap, so
/// receivers can switch without a gap. Not replayable by Idempotency-Key: each call is a new secret.
/// </summary>
public sealed record RotateWebhookEndpointSecretCommand(Guid TenantId, Guid EndpointId) : ICommand<RotatedSecretDto>;

public sealed class RotateWebhookEndpointSecretCommandHandler(
    WebhookEndpointAggregate endpointAggregate, ISecretProtector protector, WebhookEndpointOptions options, IClock clock)
    : IRequestHandler<RotateWebhookEndpointSecretCommand, RotatedSecretDto>
{
    public async Task<RotatedSecretDto> Handle(RotateWebhookEndpointSecretCommand request, CancellationToken cancellationToken)
    {
        var secret = WebhookSignature.NewSecret();
        var result = await endpointAggregate.HandleAsync(request.TenantId, request.EndpointId,
            new RotateWebhookSecret(Guid.CreateVersion7(), protector.Protect(secret), options.SecretRotationOverlap, clock.UtcNow), cancellationToken);
        var rotated = (WebhookEndpointSecretRotated)result.Events[0];
        return new RotatedSecretDto(secret, rotated.PreviousSecretExpiresAt);
    }
}
